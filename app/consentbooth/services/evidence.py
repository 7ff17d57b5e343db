"""Checking the evidence a vault holds, as a stranger in a dispute would.

``verify_ledger`` goes beyond the chain (hashes, links, signatures): every person's stored details
must match the digest their last capture or correction event recorded (an edit behind the
ledger's back is named), every consent state and stored certificate must name an event the ledger
still holds, and every timestamped checkpoint must still be in the chain (a chain cut short after
it was timestamped is caught).
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import Message
from consentbooth.core.logging import get_logger
from consentbooth.crypto.canonical import canonical_bytes, details_digest
from consentbooth.services.context import BoothContext
from consentbooth.vault import devices, ledger
from consentbooth.vault.ledger import LedgerReport

log = get_logger(__name__)


def verify_ledger(ctx: BoothContext) -> LedgerReport:
    """Every chain, every person's details, every reference into the ledger; the first problem."""
    keys = {d: s.public_key_pem for d, s in ctx.hub.signers().items()}
    report = ledger.verify_chains(ctx.hub.device_chains(), keys)
    if not report.ok:
        return report
    problem, leads_checked = _details_problem(ctx)
    if problem is not None:
        return problem
    for what, ledger_id in ctx.hub.dangling_references():
        return LedgerReport(
            False, report.checked, ledger_id,
            reason=Message(
                "{what} names ledger event {id}, which the ledger does not hold: its history was cut",
                what=what, id=ledger_id,
            ),
        )
    for checkpoint in ctx.hub.checkpoints():
        held = ctx.hub.entry_hash(checkpoint.device_id, checkpoint.device_seq)
        if held != checkpoint.hash or not _token_holds(checkpoint):
            return LedgerReport(
                False, report.checked,
                reason=Message(
                    "the chain of device {device} no longer holds event {seq} that was timestamped "
                    "on {when}: its history was cut or rewritten",
                    device=checkpoint.device_id, seq=checkpoint.device_seq, when=checkpoint.stamped_at,
                ),
            )
    return LedgerReport(True, report.checked, leads_checked=leads_checked)


def _token_holds(checkpoint: devices.Checkpoint) -> bool:
    from consentbooth.certificates.timestamps import TimestampError, verify_timestamp

    head = devices.ChainHead(checkpoint.device_id, checkpoint.device_seq, checkpoint.hash)
    try:
        verify_timestamp(checkpoint.token, checkpoint_digest(head), None)
    except TimestampError:
        return False
    return True


def _details_problem(ctx: BoothContext) -> tuple[LedgerReport | None, int]:
    """The first lead whose stored details are not what the ledger says (and how many were
    checked)."""
    secrets = {d: s.digest_secret for d, s in ctx.hub.signers().items()}
    for lead_id in ctx.hub.leads_without_capture():
        return LedgerReport(
            False, 0, lead_id=lead_id,
            reason=Message("lead {lead} holds details but the ledger has no capture of it", lead=lead_id),
        ), 0
    checked = 0
    for claim in ctx.hub.details_claims():
        checked += 1
        secret = secrets.get(claim.device_id)
        if secret is None:
            return LedgerReport(
                False, 0, claim.event_id, lead_id=claim.lead_id,
                reason=Message(
                    "the details of lead {lead} cannot be checked: the digest key of device {device} "
                    "is unknown here",
                    lead=claim.lead_id, device=claim.device_id,
                ),
            ), checked
        if details_digest(secret, claim.fields, claim.signature_png) != claim.data_digest:
            return LedgerReport(
                False, 0, claim.event_id, lead_id=claim.lead_id,
                reason=Message(
                    "the stored details of lead {lead} differ from its last capture or correction "
                    "(event {id}): they were changed outside ConsentBooth",
                    lead=claim.lead_id, id=claim.event_id,
                ),
            ), checked
    return None, checked


# -- trusted time: RFC 3161 checkpoints of the chain heads -----------------------------------------

CHECKPOINT_SCHEMA = "consentbooth.checkpoint/1"
TSA_URL = "tsa_url"


def checkpoint_digest(head: devices.ChainHead) -> bytes:
    """What a time-stamping authority signs for a chain head: SHA-256 of its canonical JSON."""
    return hashlib.sha256(canonical_bytes({"schema": CHECKPOINT_SCHEMA, **head.as_dict()})).digest()


def tsa_url(ctx: BoothContext) -> str | None:
    value = ctx.hub.get_meta(TSA_URL)
    return value.decode() if value else None


def timestamp_chain_heads(ctx: BoothContext, *, url: str | None = None) -> list[devices.Checkpoint]:
    """Have the TSA (``url``, else the configured one) timestamp every chain head not stamped yet.

    Each checkpoint proves that the chain of a device held that many events, ending in that hash,
    at that time: a history cut short or rewritten later no longer contains it. A TSA that is
    down or answers garbage raises a ``TimestampError`` (one sentence); nothing is stored then.
    """
    from consentbooth.certificates.timestamps import timestamp_digest, verify_timestamp

    url = url or tsa_url(ctx)
    if not url:
        raise UserFacingError("No time-stamping authority is configured (consentbooth tsa --url URL).")
    done = {(c.device_id, c.device_seq) for c in ctx.hub.checkpoints()}
    made = []
    for head in ctx.hub.chain_heads().values():
        if (head.device_id, head.device_seq) in done:
            continue
        digest = checkpoint_digest(head)
        token = timestamp_digest(url, digest)
        stamped = verify_timestamp(token, digest, None)
        made.append(devices.Checkpoint(head.device_id, head.device_seq, head.hash, url, token,
                                       stamped.astimezone(UTC).isoformat()))
    if made:
        ctx.hub.save_checkpoints(made)
        log.info("%d chain head(s) timestamped", len(made))
    return made
