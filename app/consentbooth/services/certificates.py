"""Consent and withdrawal certificates: issue (stored inside the vault), export, verify."""

from __future__ import annotations

import multiprocessing
import os
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
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
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import Action, new_id
from consentbooth.services.context import BoothContext
from consentbooth.vault import certstore, ledger, repo

log = get_logger(__name__)

CERTIFIED_ACTIONS = (Action.CONSENT.value, Action.WITHDRAWAL.value)
IN_PROCESS_MAX = 8  # up to this many: render here (starting a worker process costs ~1 s)


def _record_for(ctx: BoothContext, ledger_id: str) -> tuple[dict[str, Any], bytes | None, str, str]:
    entry = ledger.get(ctx.vault, ledger_id)
    if entry is None:
        raise NotFound("No consent event with id {id}.", id=ledger_id)
    consent = entry.event
    if consent.action.value not in CERTIFIED_ACTIONS:
        raise UserFacingError("Certificates are issued for consents and withdrawals only.")
    lead = repo.get_lead(ctx.vault, consent.lead_id)
    if lead is None or lead.erased_at is not None:
        raise UserFacingError("This person's details were erased; no certificate can be issued.")
    # The setup as it was when the consent (or withdrawal) happened, not as it was edited since:
    # the certificate states what the attendee was shown. The notice is pinned by its version.
    at = consent.occurred_at  # as the signed ledger entry states it
    event = repo.event_as_of(ctx.vault, consent.event_id, at)
    notice = repo.get_notice(ctx.vault, consent.notice_version)
    organisation = repo.organisation_as_of(ctx.vault, at)
    if event is None or notice is None or organisation is None:
        raise UserFacingError("The setup this consent refers to is incomplete; finish the setup first.")
    record = build_certificate_record(
        certificate_id=new_id(),
        issued_at=datetime.now().astimezone(),
        organisation=organisation,
        event=event,
        lead=lead,
        consent_event=consent,
        purposes=repo.purposes_as_of(ctx.vault, at),
        notice=notice,
        ledger_hash=entry.hash,
    )
    return record, lead.signature_png, lead.id, consent.action.value


# reportlab keeps process-wide state (fonts, caches) and is not safe to drive from two threads
# at once; the GUI renders from its certificate thread and from the vault worker.
_RENDER_LOCK = threading.Lock()


def _render(job: tuple[dict[str, Any], bytes | None, SigningIdentity]) -> bytes:
    record, signature_png, identity = job
    with _RENDER_LOCK:
        return issue_certificate_pdf(record=record, signature_png=signature_png, identity=identity)


def issue_certificate(ctx: BoothContext, ledger_id: str) -> str:
    """Render, sign and store the certificate of one ledger event; returns its id.

    Runs in the background right after a capture or a withdrawal (never on the GUI thread).
    """
    existing = certstore.certificate_for_ledger(ctx.vault, ledger_id)
    if existing:
        return existing
    record, signature_png, lead_id, kind = _record_for(ctx, ledger_id)
    pdf = _render((record, signature_png, ctx.certificate_identity))
    with ctx.vault.transaction() as conn:
        certstore.store(conn, certificate_id=record["certificate_id"], lead_id=lead_id,
                        ledger_id=ledger_id, kind=kind, pdf=pdf)
    return str(record["certificate_id"])


def issue_missing(
    ctx: BoothContext, ledger_ids: Sequence[str], *, progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Issue every missing certificate of ``ledger_ids`` on all cores; returns how many were made."""
    todo = [lid for lid in ledger_ids if not certstore.certificate_for_ledger(ctx.vault, lid)]
    if not todo:
        return 0
    jobs = []
    for lid in todo:
        record, signature_png, lead_id, kind = _record_for(ctx, lid)
        jobs.append((lid, record, signature_png, lead_id, kind))
    workers = workers or os.cpu_count() or 1
    args = [(j[1], j[2], ctx.certificate_identity) for j in jobs]
    pool = None
    if workers == 1 or len(jobs) <= IN_PROCESS_MAX:
        rendered: Iterable[bytes] = map(_render, args)
    else:
        # spawn, never fork: the GUI process runs Qt and worker threads, and a forked child of a
        # threaded process can deadlock on a lock some other thread held at the fork.
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)), mp_context=multiprocessing.get_context("spawn")
        )
        rendered = pool.map(_render, args, chunksize=8)
    made = 0
    try:
        batch: list[tuple] = []
        for job, pdf in zip(jobs, rendered, strict=True):
            batch.append((job, pdf))
            made += 1
            if len(batch) == 50 or made == len(jobs):
                with ctx.vault.transaction() as conn:
                    for (lid, record, _sig, lead_id, kind), data in batch:
                        certstore.store(conn, certificate_id=record["certificate_id"], lead_id=lead_id,
                                        ledger_id=lid, kind=kind, pdf=data)
                batch = []
                if progress:
                    progress(made, len(jobs))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return made


def export_certificate(ctx: BoothContext, lead_id: str, target: Path, *, history: bool = False) -> int:
    """Write the latest certificate of a person (or, with ``history``, a ZIP of all of them)."""
    entries = [e for e in ledger.entries(ctx.vault, lead_id=lead_id) if e.action in CERTIFIED_ACTIONS]
    if not entries:
        raise NotFound("No lead with id {lead_id}.", lead_id=lead_id)
    issue_missing(ctx, [e.id for e in entries], workers=1)
    certs = certstore.for_lead(ctx.vault, lead_id)
    if not history:
        write_atomic(Path(target), certs[-1].pdf)
        return 1
    _write_zip(Path(target), ((f"{c.created_at[:10]}-{c.kind}-{c.id}.pdf", c.pdf) for c in certs))
    return len(certs)


def export_event_certificates(
    ctx: BoothContext, *, event_id: str, target: Path, progress: Callable[[int, int], None] | None = None
) -> int:
    """A ZIP of every certificate of an event, issuing missing ones on both cores first."""
    if repo.get_event(ctx.vault, event_id) is None:
        raise NotFound("No such event; create one in the setup first.")
    ledger_ids = certstore.certifiable_ledger_ids(ctx.vault, event_id)
    issue_missing(ctx, ledger_ids, progress=progress)
    count = 0

    def files():
        nonlocal count
        for cert in certstore.iter_for_event(ctx.vault, event_id):
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
    ok: bool
    verdict: str  # a Message (English as a string; ``_(verdict)`` in the UI language)
    checks: tuple[Check, ...]


def verify_certificate(ctx: BoothContext | None, pdf: bytes) -> CertificateVerdict:
    """Check the PDF signature, QR payload and embedded record; with a vault (``ctx``), the
    ledger too."""
    keys = None
    if ctx is not None:
        keys = [*repo.signer_keys(ctx.vault).values(), ctx.certificate_identity.public_key_pem]
    report: VerificationReport = verify_certificate_pdf(pdf, expected_public_keys=keys)
    checks = list(report.checks)
    ok, verdict = report.ok, report.verdict
    if ctx is not None and report.record:
        evidence = report.record.get("evidence", {})
        entry = ledger.get(ctx.vault, str(evidence.get("consent_event_id", "")))
        in_ledger = entry is not None and entry.hash == evidence.get("ledger_hash")
        checks.append(Check("ledger", in_ledger, Message("the vault's ledger holds this event") if in_ledger
                            else Message("the vault's ledger does not hold this event")))
        if in_ledger and entry is not None:
            states = repo.consent_states(ctx.vault, entry.lead_id or "")
            granted = set(report.record.get("granted_purposes", []))
            withdrawn = sorted(c for c in granted if states.get(c, ("",))[0] != "granted")
            purposes = ", ".join(withdrawn)
            detail = (Message("withdrawn since: {purposes}", purposes=purposes) if withdrawn
                      else Message("still in force"))
            checks.append(Check("current_consent", True, detail))
            if ok and withdrawn:
                verdict = Message("{verdict} Note: consent has since been withdrawn for {purposes}.",
                                  verdict=verdict, purposes=purposes)
        else:
            ok = False
            verdict = (Message("NOT VALID: {certificate_id} is not in this vault's ledger.",
                               certificate_id=report.certificate_id) if report.certificate_id
                       else Message("NOT VALID: certificate is not in this vault's ledger."))
    return CertificateVerdict(ok=ok, verdict=verdict, checks=tuple(checks))


def read_pdf(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserFacingError("Cannot read {path}: {reason}", path=str(path), reason=exc.strerror) from None


__all__ = ["export_certificate", "export_event_certificates", "issue_certificate", "verify_certificate"]
