"""Consent-scoped exports and suppression lists, each recorded in the sharing log."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from consentbooth.core.errors import ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.exports.presets import get_preset
from consentbooth.exports.rows import ExportRow, SuppressionRow
from consentbooth.exports.writers import ExportCancelled, write_export, write_suppression
from consentbooth.services.context import BoothContext
from consentbooth.vault import sharing

log = get_logger(__name__)

__all__ = ["ExportCancelled", "export_leads", "export_suppression", "sharing_log"]

Progress = Callable[[int], None] | None
Cancel = Callable[[], bool] | None


def _rows(ctx: BoothContext, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime) -> Iterator[ExportRow]:
    names = {e.id: e.name for e in ctx.events()}
    for lead in sharing.iter_consenting(ctx.vault, purposes=purposes, event_ids=event_ids, now=now):
        yield ExportRow(
            lead_id=lead.lead_id,
            event_id=lead.event_id,
            event_name=names.get(lead.event_id, ""),
            device_id=lead.device_id,
            fields=lead.fields,
            purposes_granted=lead.purposes_granted,
            consent_time=lead.consent_time,
            notice_version=lead.notice_version,
            notice_sha256=lead.notice_sha256,
            certificate_id=lead.certificate_id,
        )


def export_leads(
    ctx: BoothContext,
    *,
    purposes: Sequence[str],
    target: Path,
    format: str = "csv",
    preset: str = "generic",
    event_ids: Sequence[str] | None = None,
    recipient: str = "",
    operator: str | None = None,
    progress: Progress = None,
    cancel: Cancel = None,
    now: datetime | None = None,
) -> int:
    """Export the people who currently hold a grant for EVERY chosen purpose; returns the count."""
    known = {p.code for p in ctx.purposes()}
    if not purposes:
        raise ValidationError("purposes", "Choose at least one purpose to export.")
    for code in purposes:
        if code not in known:
            raise ValidationError("purposes", "“{code}” is not a purpose offered here.", code=code)
    events = {e.id: e for e in ctx.events()}
    for event_id in event_ids or ():
        if event_id not in events:
            raise ValidationError("event", "No such event; create one in the setup first.")
    # The exported events' qualifying questions become columns after the contact fields.
    questions = [q.key for e in events.values() if not event_ids or e.id in event_ids for q in e.questions]
    now = now or datetime.now(UTC)
    # The sharing log is written when the file is complete and BEFORE it appears under its name:
    # an export that cannot be recorded is never left behind.
    return write_export(
        _rows(ctx, purposes, event_ids, now),
        format=format, preset=get_preset(preset, extra_fields=questions), target=Path(target),
        progress=progress, cancel=cancel,
        on_complete=lambda count: _log(
            ctx, kind=f"export:{preset}", format=format, purposes=purposes,
            events=event_ids or (), count=count, recipient=recipient, operator=operator,
            target=target,
        ),
    )


def _suppressed(ctx: BoothContext, hashed: bool) -> Iterator[SuppressionRow]:
    for s in sharing.iter_suppressed(ctx.vault):
        email = s.fields.get("email", "")
        phone = s.fields.get("phone", "")
        yield SuppressionRow(
            lead_id=s.lead_id,
            email=email,
            phone=phone,
            purposes_withdrawn=s.purposes_withdrawn,
            withdrawn_at=s.withdrawn_at,
            erased=s.erased,
            reason="erasure" if s.erased else "withdrawal",
            email_sha256=s.email_sha256 if s.erased else "",
            phone_sha256=s.phone_sha256 if s.erased else "",
        )


def export_suppression(
    ctx: BoothContext,
    *,
    target: Path,
    hashed: bool = False,
    format: str = "csv",
    recipient: str = "",
    operator: str | None = None,
) -> int:
    """Everyone who withdrew a purpose or was erased, so the CRM can suppress them downstream."""
    return write_suppression(
        _suppressed(ctx, hashed), hashed=hashed, target=Path(target), format=format,
        on_complete=lambda count: _log(
            ctx, kind="suppression:hashed" if hashed else "suppression", format=format,
            purposes=(), events=(), count=count, recipient=recipient, operator=operator,
            target=target,
        ),
    )


def _log(ctx: BoothContext, *, kind: str, format: str, purposes: Sequence[str], events: Sequence[str],
         count: int, recipient: str, operator: str | None, target: Path) -> None:
    with ctx.vault.transaction() as conn:
        sharing.log_sharing(
            conn,
            sharing.SharingEntry(
                at=datetime.now(UTC).isoformat(), kind=kind, format=format, purposes=tuple(purposes),
                events=tuple(events), count=count, recipient=recipient,
                operator=operator or ctx.operator, file_name=Path(target).name,
            ),
        )
    log.info("%s written: %d rows", kind, count)


def sharing_log(ctx: BoothContext) -> list[sharing.SharingEntry]:
    return sharing.sharing_log(ctx.vault)
