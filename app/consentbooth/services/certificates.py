"""Consent and withdrawal certificates: issue (stored inside the vault), export, verify."""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from consentbooth.certificates import (
    build_certificate_record,
    issue_certificate_pdf,
    verify_certificate_pdf,
)
from consentbooth.certificates.verify import Check, VerificationReport
from consentbooth.core.errors import NotFound, UserFacingError
from consentbooth.core.files import atomic_writer, write_atomic
from consentbooth.core.i18n import Message
from consentbooth.core.logging import get_logger
from consentbooth.core.workers import process_pool
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.consent import fold_states
from consentbooth.domain.models import Action, Decision, new_id
from consentbooth.services import trust
from consentbooth.services.assessments import assessment_ids
from consentbooth.services.context import BoothContext
from consentbooth.vault import ledger
from consentbooth.vault.certstore import StoredCertificate

log = get_logger(__name__)

CERTIFIED_ACTIONS = (Action.CONSENT.value, Action.WITHDRAWAL.value)
IN_PROCESS_MAX = 8  # up to this many: render here (starting a worker process costs ~1 s)


def _record_for(ctx: BoothContext, ledger_id: str) -> tuple[dict[str, Any], bytes | None, str, str]:
    entry = ctx.hub.ledger_entry(ledger_id)
    if entry is None:
        raise NotFound("No consent event with id {id}.", id=ledger_id)
    consent = entry.event
    if consent.action.value not in CERTIFIED_ACTIONS:
        raise UserFacingError("Certificates are issued for consents and withdrawals only.")
    lead = ctx.hub.get_lead(consent.lead_id)
    if lead is None or lead.erased_at is not None:
        raise UserFacingError("This person's details were erased; no certificate can be issued.")
    # The setup as it was when the consent (or withdrawal) happened, not as it was edited since:
    # the certificate states what the attendee was shown. The notice is pinned by its version.
    at = consent.occurred_at  # as the signed ledger entry states it
    event = ctx.hub.event_as_of(consent.event_id, at)
    notice = ctx.hub.get_notice(consent.notice_version)
    organisation = ctx.hub.organisation_as_of(at)
    if event is None or notice is None or organisation is None:
        raise UserFacingError("The setup this consent refers to is incomplete; finish the setup first.")
    head = ctx.hub.chain_heads().get(entry.device_id)
    record = build_certificate_record(
        certificate_id=new_id(),
        issued_at=datetime.now().astimezone(),
        organisation=organisation,
        event=event,
        lead=lead,
        consent_event=consent,
        purposes=ctx.hub.purposes_as_of(at),
        notice=notice,
        ledger_hash=entry.hash,
        states_after=_states_after(ctx, entry) if consent.action is Action.WITHDRAWAL else None,
        chain_head=head.as_dict() if head else None,
        root_fingerprint=trust.signing_root_fingerprint(ctx.certificate_identity),
        assessments=assessment_ids(ctx, as_of=at),
    )
    return record, lead.signature_png, lead.id, consent.action.value


def _stored(record: dict[str, Any], lead_id: str, ledger_id: str, kind: str, pdf: bytes) -> StoredCertificate:
    return StoredCertificate(id=str(record["certificate_id"]), lead_id=lead_id, ledger_id=ledger_id,
                             kind=kind, created_at=datetime.now(UTC).isoformat(), pdf=pdf)


def _states_after(ctx: BoothContext, entry: ledger.LedgerEntry) -> dict[str, str]:
    """Every purpose the person was ever shown, with its state right after ``entry``."""
    history = [e.event for e in ctx.hub.ledger_entries(lead_id=entry.lead_id or "") if e.seq <= entry.seq]
    folded = fold_states(history, lambda _code: 36500)  # only the states matter here
    shown = dict.fromkeys(code for event in history for code in (*event.purposes_shown, *event.decisions))
    return {code: folded[code].state if code in folded else Decision.NOT_GRANTED.value for code in shown}


# reportlab keeps process-wide state (fonts, caches) and is not safe to drive from two threads
# at once; the GUI renders from its certificate thread and from the vault worker.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class Signer:
    """How certificates are signed here (pickled to worker processes for a large batch)."""

    identity: SigningIdentity
    tsa_url: str | None  # RFC 3161 time-stamping authority, if configured (trusted time)
    roots: tuple[bytes, ...]  # for the validation data of a time-stamped certificate (B-LT)


def _signer(ctx: BoothContext) -> Signer:
    from consentbooth.services.evidence import tsa_url

    return Signer(ctx.certificate_identity, tsa_url(ctx), tuple(trust.trusted_roots(ctx.hub)))


def _render(job: tuple[dict[str, Any], bytes | None, Signer]) -> bytes:
    """The signed PDF: PAdES B-B, or with a configured TSA B-T then B-LT (its validation data
    added as a DSS update). A TSA that is down leaves the certificate without trusted time
    rather than without a certificate."""
    from consentbooth.certificates import add_long_term_validation
    from consentbooth.certificates.timestamps import TimestampError

    record, signature_png, signer = job
    with _RENDER_LOCK:
        try:
            pdf = issue_certificate_pdf(record=record, signature_png=signature_png,
                                        identity=signer.identity, timestamp_url=signer.tsa_url)
        except TimestampError:
            log.warning("time-stamping authority unavailable: certificate issued without trusted time")
            return issue_certificate_pdf(record=record, signature_png=signature_png, identity=signer.identity)
        if not signer.tsa_url:
            return pdf
        try:
            return add_long_term_validation(pdf, trust_roots=signer.roots)
        except UserFacingError:
            log.warning("validation data could not be added: certificate kept at PAdES B-T")
            return pdf


def issue_certificate(ctx: BoothContext, ledger_id: str) -> str:
    """Render, sign and store the certificate of one ledger event; returns its id.

    Runs in the background right after a capture or a withdrawal (never on the GUI thread).
    """
    existing = ctx.hub.certificate_for_ledger(ledger_id)
    if existing:
        return existing
    record, signature_png, lead_id, kind = _record_for(ctx, ledger_id)
    pdf = _render((record, signature_png, _signer(ctx)))
    ctx.hub.store_certificates([_stored(record, lead_id, ledger_id, kind, pdf)])
    return str(record["certificate_id"])


def issue_missing(
    ctx: BoothContext, ledger_ids: Sequence[str], *, progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Issue every missing certificate of ``ledger_ids`` on all cores; returns how many were made."""
    todo = [lid for lid in ledger_ids if not ctx.hub.certificate_for_ledger(lid)]
    if not todo:
        return 0
    jobs = []
    for lid in todo:
        record, signature_png, lead_id, kind = _record_for(ctx, lid)
        jobs.append((lid, record, signature_png, lead_id, kind))
    workers = workers or os.cpu_count() or 1
    signer = _signer(ctx)
    args = [(j[1], j[2], signer) for j in jobs]
    pool = None
    if workers == 1 or len(jobs) <= IN_PROCESS_MAX:
        rendered: Iterable[bytes] = map(_render, args)
    else:
        pool = process_pool(min(workers, len(jobs)))
        rendered = pool.map(_render, args, chunksize=8)
    made = 0
    try:
        batch: list[tuple] = []
        for job, pdf in zip(jobs, rendered, strict=True):
            batch.append((job, pdf))
            made += 1
            if len(batch) == 50 or made == len(jobs):
                ctx.hub.store_certificates([
                    _stored(record, lead_id, lid, kind, data)
                    for (lid, record, _sig, lead_id, kind), data in batch
                ])
                batch = []
                if progress:
                    progress(made, len(jobs))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return made


def export_certificate(ctx: BoothContext, lead_id: str, target: Path, *, history: bool = False) -> int:
    """Write the latest certificate of a person (or, with ``history``, a ZIP of all of them)."""
    entries = [e for e in ctx.hub.ledger_entries(lead_id=lead_id) if e.action in CERTIFIED_ACTIONS]
    if not entries:
        raise NotFound("No lead with id {lead_id}.", lead_id=lead_id)
    issue_missing(ctx, [e.id for e in entries], workers=1)
    certs = ctx.hub.certificates_for_lead(lead_id)
    if not history:
        write_atomic(Path(target), certs[-1].pdf)
        return 1
    _write_zip(Path(target), ((f"{c.created_at[:10]}-{c.kind}-{c.id}.pdf", c.pdf) for c in certs))
    return len(certs)


def export_event_certificates(
    ctx: BoothContext, *, event_id: str, target: Path, progress: Callable[[int, int], None] | None = None
) -> int:
    """A ZIP of every certificate of an event, issuing missing ones on both cores first."""
    if ctx.hub.get_event(event_id) is None:
        raise NotFound("No such event; create one in the setup first.")
    ledger_ids = ctx.hub.certifiable_ledger_ids(event_id)
    issue_missing(ctx, ledger_ids, progress=progress)
    count = 0

    def files():
        nonlocal count
        for cert in ctx.hub.iter_certificates_for_event(event_id):
            count += 1
            yield f"{cert.lead_id}/{cert.created_at[:10]}-{cert.kind}-{cert.id}.pdf", cert.pdf

    _write_zip(Path(target), files())
    return count


def _write_zip(target: Path, files) -> None:
    with atomic_writer(target) as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files:
            zf.writestr(name, data)


@dataclass(frozen=True)
class CertificateVerdict:
    ok: bool  # VALID
    outcome: str  # "valid" / "untrusted" (intact, signer not established) / "invalid"
    verdict: str  # a Message (English as a string; ``_(verdict)`` in the UI language)
    checks: tuple[Check, ...]
    root_fingerprint: str | None = None  # the root the signer chains to (or its chain's top)


def verify_certificate(ctx: BoothContext | None, pdf: bytes, *,
                       trust_roots: Sequence[bytes] = ()) -> CertificateVerdict:
    """What is known of a certificate: VALID only when its signer chains to a trusted root (the
    ``trust_roots`` given, the trust list imported once, and with a vault its organisation root
    and device keys); intact but unanchored is "untrusted", never VALID. The printed QR code is
    read back and compared with the signed payload. With a vault (``ctx``), its ledger must hold
    the event, and no shorter chain than when the certificate was issued."""
    from consentbooth.certificates.checks import Outcome
    from consentbooth.scanning.barcodes import decode_qr

    roots = [*trust_roots, *trust.trust_list()]
    keys = None
    if ctx is not None:
        roots += trust.trusted_roots(ctx.hub)
        keys = [*(s.public_key_pem for s in ctx.hub.signers().values()), ctx.certificate_identity.public_key_pem]
    report: VerificationReport = verify_certificate_pdf(
        pdf, trust_roots=roots or None, expected_public_keys=keys, decode_qr=decode_qr
    )
    checks = list(report.checks)
    outcome, verdict = report.outcome, report.verdict
    if ctx is not None and report.record:
        problem, extra, note = _against_ledger(ctx, report)
        checks += extra
        if problem is not None:
            outcome, verdict = Outcome.INVALID, problem
        elif note is not None and outcome is Outcome.VALID:
            verdict = Message("{verdict} Note: consent has since been withdrawn for {purposes}.",
                              verdict=verdict, purposes=note)
    return CertificateVerdict(ok=outcome is Outcome.VALID, outcome=outcome.value, verdict=verdict,
                              checks=tuple(checks), root_fingerprint=report.root_fingerprint)


def _against_ledger(ctx: BoothContext, report: VerificationReport) -> tuple[Message | None, list[Check], str | None]:
    """(why it is not valid here, the checks, purposes withdrawn since) against the vault's ledger."""
    record = report.record or {}
    evidence = record.get("evidence", {})
    entry = ctx.hub.ledger_entry(str(evidence.get("consent_event_id", "")))
    if entry is None or entry.hash != evidence.get("ledger_hash"):
        check = Check("ledger", False, Message("the vault's ledger does not hold this event"))
        cid = report.certificate_id
        problem = (Message("NOT VALID: {certificate_id} is not in this vault's ledger.", certificate_id=cid)
                   if cid else Message("NOT VALID: certificate is not in this vault's ledger."))
        return problem, [check], None
    checks = [Check("ledger", True, Message("the vault's ledger holds this event"))]
    head = evidence.get("chain_head")
    if isinstance(head, dict):
        held = ctx.hub.entry_hash(str(head.get("device_id")), int(head.get("device_seq", 0)))
        if held != head.get("hash"):
            checks.append(Check("chain_head", False, Message(
                "the vault's ledger no longer holds event {seq} of device {device}, which existed when "
                "this certificate was issued: its history was cut", seq=head.get("device_seq"),
                device=head.get("device_id"))))
            return Message("NOT VALID: the vault's ledger was cut after this certificate was issued."), checks, None
        checks.append(Check("chain_head", True,
                            Message("the vault's ledger still holds the chain this certificate names")))
    states = ctx.hub.consent_states(entry.lead_id or "")
    withdrawn = sorted(c for c in record.get("granted_purposes", []) if states.get(c, ("",))[0] != "granted")
    purposes = ", ".join(withdrawn)
    checks.append(Check("current_consent", True, Message("withdrawn since: {purposes}", purposes=purposes)
                        if withdrawn else Message("still in force")))
    return None, checks, purposes or None


def read_pdf(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserFacingError("Cannot read {path}: {reason}", path=str(path), reason=exc.strerror) from None


__all__ = ["export_certificate", "export_event_certificates", "issue_certificate", "verify_certificate"]
