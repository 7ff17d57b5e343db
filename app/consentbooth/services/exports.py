"""Consent-scoped exports and suppression lists, each recorded in the sharing log.

An export is written in a preset's columns (``exports/presets.py``: a shipped name such as
``salesforce``, or the path of a preset file ops edited). Rows a preset rejects (a CRM-required
value missing, a value too long for its CRM field) are not written; they are listed, with the
reason, in ``<file name>.rejects.csv`` beside the export, and counted in the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from consentbooth.core.errors import ValidationError
from consentbooth.core.files import atomic_writer
from consentbooth.core.logging import get_logger
from consentbooth.domain.models import Purpose
from consentbooth.exports.layout import Layout, Reject
from consentbooth.exports.presets import (
    PRESETS,
    SUPPRESSION_PRESETS,
    get_preset,
    load_preset,
    shipped_presets,
)
from consentbooth.exports.rows import GRANTED, ExportRow, SuppressionRow
from consentbooth.exports.writers import ExportCancelled, csv_text, write_export, write_suppression
from consentbooth.services.context import BoothContext
from consentbooth.vault import sharing

log = get_logger(__name__)

__all__ = [
    "PRESETS", "SUPPRESSION_PRESETS", "ExportCancelled", "ExportPreview", "ExportResult",
    "PresetInfo", "export_leads", "export_suppression", "preset_info", "preset_text",
    "preview_export", "rejects_path", "shipped_preset_infos", "sharing_log",
]

Progress = Callable[[int, int], None] | None  # progress(done, total)
Cancel = Callable[[], bool] | None
REJECTS_HEADER = ("lead_id", "column", "reason")
PREVIEW_ROWS = 5


class ExportResult(int):
    """The number of rows written (it is that int), with the rows left out and where they are
    listed (``rejects_file``: None when no row was rejected)."""

    rejected: int
    rejects_file: Path | None

    def __new__(cls, written: int, *, rejected: int = 0, rejects_file: Path | None = None) -> ExportResult:
        self = super().__new__(cls, written)
        self.rejected, self.rejects_file = rejected, rejects_file
        return self


@dataclass(frozen=True)
class PresetInfo:
    """What the console and the CLI show of a preset."""

    name: str
    title: str
    kind: str  # "leads" or "suppression"
    file: str


@dataclass(frozen=True)
class ExportPreview:
    """The first rows an export would write, and what it would reject among them."""

    title: str
    header: tuple[str, ...]
    rows: list[list[str]]
    rejects: list[Reject]
    total: int  # people the export would read


def shipped_preset_infos() -> list[PresetInfo]:
    return [PresetInfo(s.name, s.title, s.kind, s.file) for s in shipped_presets()]


def preset_info(preset: str | Path) -> PresetInfo:
    """Read and check a preset (a shipped name or a file): one sentence if it is unusable."""
    spec = load_preset(preset)
    return PresetInfo(spec.name, spec.title, spec.kind, spec.file)


def preset_text(preset: str | Path) -> str:
    """The text of a preset, to save as a copy that ops edit."""
    return load_preset(preset).text


def rejects_path(target: Path) -> Path:
    target = Path(target)
    return target.with_name(target.stem + ".rejects.csv")


def _states(lead: sharing.ConsentingLead) -> dict[str, str]:
    return dict(lead.states)


def _opt_outs(granted: Sequence[str], purposes: dict[str, Purpose]) -> tuple[bool, bool]:
    """(email opt-out, do not call): no current grant of a purpose using that channel."""
    channels = {c for code in granted if code in purposes for c in purposes[code].channels}
    return "email" not in channels, "phone" not in channels


def _rows(ctx: BoothContext, purposes: Sequence[str], event_ids: Sequence[str] | None,
          now: datetime) -> Iterator[ExportRow]:
    names = {e.id: e.name for e in ctx.events()}
    offered = {p.code: p for p in ctx.purposes()}
    for lead in ctx.hub.iter_consenting(purposes=purposes, event_ids=event_ids, now=now):
        states = _states(lead)
        email_opt_out, do_not_call = _opt_outs([c for c, s in states.items() if s == GRANTED], offered)
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
            consents=states,
            email_opt_out=email_opt_out,
            do_not_call=do_not_call,
            source=lead.source,
            source_proof_sha256=lead.source_proof_sha256,
        )


def _check_request(ctx: BoothContext, purposes: Sequence[str], event_ids: Sequence[str] | None) -> list[str]:
    """Refuse a bad request before any file is touched; returns the exported events' questions."""
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
    # The exported events' qualifying questions become columns where the preset puts them.
    return [q.key for e in events.values() if not event_ids or e.id in event_ids for q in e.questions]


def _layout(ctx: BoothContext, preset: str | Path, questions: Sequence[str], kind: str) -> Layout:
    return get_preset(preset, extra_fields=questions, purposes=[p.code for p in ctx.purposes()], kind=kind)


def _with_total(progress: Progress, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    progress(0, total)
    return lambda done: progress(done, total)


def _write_rejects(target: Path, rejects: Sequence[Reject]) -> Path | None:
    """The rejects file beside ``target`` (written atomically), or None; a rejects file of an
    earlier export to the same name is removed when nothing was rejected this time."""
    path = rejects_path(target)
    if not rejects:
        try:
            with path.open("rb") as f:
                ours = f.read(64).startswith(b"\xef\xbb\xbf" + ",".join(REJECTS_HEADER).encode())
        except OSError:
            return None
        if ours:
            path.unlink(missing_ok=True)
        return None
    rows = [list(REJECTS_HEADER)] + [[r.lead_id, r.column, str(r.reason)] for r in rejects]
    with atomic_writer(path) as f:
        f.write(b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8"))
    return path


def export_leads(
    ctx: BoothContext,
    *,
    purposes: Sequence[str],
    target: Path,
    format: str = "csv",
    preset: str | Path = "generic",
    event_ids: Sequence[str] | None = None,
    recipient: str = "",
    operator: str | None = None,
    progress: Progress = None,
    cancel: Cancel = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export the people who currently hold a grant for EVERY chosen purpose, in ``preset``'s
    columns; returns the rows written (rows the preset rejects are listed in the rejects file)."""
    questions = _check_request(ctx, purposes, event_ids)
    layout = _layout(ctx, preset, questions, "leads")
    now = now or datetime.now(UTC)
    total = ctx.hub.count_consenting(purposes=purposes, event_ids=event_ids, now=now)
    written: dict[str, Path | None] = {}

    # The sharing log (and the rejects file) are written when the export is complete and BEFORE
    # it appears under its name: an export that cannot be recorded is never left behind.
    def complete(count: int) -> None:
        written["rejects"] = _write_rejects(Path(target), layout.rejects)
        _log(ctx, kind=f"export:{layout.name}", format=format, purposes=purposes,
             events=event_ids or (), count=count, recipient=recipient, operator=operator, target=target)

    count = write_export(
        _rows(ctx, purposes, event_ids, now), format=format, preset=layout, target=Path(target),
        progress=_with_total(progress, total), cancel=cancel, on_complete=complete,
    )
    return ExportResult(count, rejected=len(layout.rejects), rejects_file=written.get("rejects"))


def preview_export(
    ctx: BoothContext,
    *,
    purposes: Sequence[str],
    preset: str | Path = "generic",
    event_ids: Sequence[str] | None = None,
    limit: int = PREVIEW_ROWS,
    now: datetime | None = None,
) -> ExportPreview:
    """The first ``limit`` rows the export would write (and the rejects met on the way), read
    from the vault without writing anything."""
    questions = _check_request(ctx, purposes, event_ids)
    layout = _layout(ctx, preset, questions, "leads")
    now = now or datetime.now(UTC)
    total = ctx.hub.count_consenting(purposes=purposes, event_ids=event_ids, now=now)
    rows: list[list[str]] = []
    for row in _rows(ctx, purposes, event_ids, now):
        cells = layout.cells(row)
        if cells is not None:
            rows.append(cells)
        if len(rows) >= limit or len(rows) + len(layout.rejects) >= limit * 20:
            break
    return ExportPreview(title=layout.title, header=layout.header, rows=rows,
                         rejects=list(layout.rejects), total=total)


def _suppressed(ctx: BoothContext) -> list[SuppressionRow]:
    offered = {p.code: p for p in ctx.purposes()}
    found = []
    for s in ctx.hub.iter_suppressed(now=datetime.now(UTC)):
        email_opt_out, do_not_call = _opt_outs(() if s.erased else s.purposes_granted, offered)
        found.append(SuppressionRow(
            lead_id=s.lead_id,
            email=s.fields.get("email", ""),
            phone=s.fields.get("phone", ""),
            purposes_withdrawn=s.purposes_withdrawn,
            withdrawn_at=s.withdrawn_at,
            erased=s.erased,
            reason="erasure" if s.erased else "withdrawal",
            email_sha256=s.email_sha256 if s.erased else "",
            phone_sha256=s.phone_sha256 if s.erased else "",
            email_opt_out=email_opt_out,
            do_not_call=do_not_call,
        ))
    return found


def _included(layout: Layout, rows: list[SuppressionRow]) -> list[SuppressionRow]:
    if layout.include == "email_opt_out":
        return [r for r in rows if r.email_opt_out]
    if layout.include == "any_opt_out":
        return [r for r in rows if r.email_opt_out or r.do_not_call]
    return rows


def export_suppression(
    ctx: BoothContext,
    *,
    target: Path,
    hashed: bool = False,
    format: str = "csv",
    preset: str | Path | None = None,
    recipient: str = "",
    operator: str | None = None,
    progress: Progress = None,
    cancel: Cancel = None,
) -> ExportResult:
    """Everyone who withdrew a purpose or was erased, so the CRM can suppress them downstream:
    the plain or ``hashed`` list, or, with ``preset`` (e.g. ``salesforce-optout``), a file in a
    CRM's own opt-out shape."""
    layout = _layout(ctx, preset, (), "suppression") if preset is not None else None
    rows = _suppressed(ctx)
    if layout is not None:
        rows = _included(layout, rows)
        kind = f"suppression:{layout.name}"
    else:
        kind = "suppression:hashed" if hashed else "suppression"
    written: dict[str, Path | None] = {}

    def complete(count: int) -> None:
        if layout is not None:
            written["rejects"] = _write_rejects(Path(target), layout.rejects)
        _log(ctx, kind=kind, format=format, purposes=(), events=(), count=count, recipient=recipient,
             operator=operator, target=target)

    count = write_suppression(
        rows, hashed=hashed, target=Path(target), format=format, preset=layout,
        progress=_with_total(progress, len(rows)), cancel=cancel, on_complete=complete,
    )
    rejected = len(layout.rejects) if layout is not None else 0
    return ExportResult(count, rejected=rejected, rejects_file=written.get("rejects"))


def _log(ctx: BoothContext, *, kind: str, format: str, purposes: Sequence[str], events: Sequence[str],
         count: int, recipient: str, operator: str | None, target: Path) -> None:
    ctx.hub.log_sharing(
        sharing.SharingEntry(
            at=datetime.now(UTC).isoformat(), kind=kind, format=format, purposes=tuple(purposes),
            events=tuple(events), count=count, recipient=recipient,
            operator=operator or ctx.operator, file_name=Path(target).name,
        ),
    )
    log.info("%s written: %d rows", kind, count)


def sharing_log(ctx: BoothContext) -> list[sharing.SharingEntry]:
    return ctx.hub.sharing_log()
