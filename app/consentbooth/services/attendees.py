"""Organiser attendee lists: import for an event, look a scanned registration id up, delete.

The organiser's lead-retrieval file (CSV/XLSX) maps the id printed on a badge to the attendee's
details. It is a lookup, not leads: nobody in it consented to anything. So it is

- stored in the vault, each entry sealed once more under its list's own key and found by a keyed
  digest of the id (``crypto/sealing.py``), never in plain text, not even in a decrypted vault;
- never exported, bundled or shown in search (no export, bundle or record reads its tables);
- deleted ``keep_days`` (default 7) after its event ends, at the first unlock from that day on
  (``delete_expired_attendee_lists``, run by ``Booth.adopt``), or by staff at any time; each import and
  each deletion is a line in ``attendee_list_log`` (who, when, which list, how many entries,
  why), which holds no attendee's details;
- used only to pre-fill the form of someone who stands at the booth, which they see after the
  notice and keep only for the purposes they tick (services/capture.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.crypto import sealing
from consentbooth.domain.models import new_id
from consentbooth.domain.validation import clean_text
from consentbooth.scanning import attendee_table
from consentbooth.scanning.payloads import (
    DEFAULT_FIELD_NAMES,
    TARGETS,
    BadgeFieldNames,
    normalise_registration_id,
)
from consentbooth.services.context import BoothContext, now
from consentbooth.vault import attendees as rows
from consentbooth.vault import repo

log = get_logger(__name__)

DEFAULT_KEEP_DAYS = 7
MAX_KEEP_DAYS = 365
MAX_FILE_BYTES = 64 * 1024 * 1024
PREVIEW_ROWS = 5
BADGE_NAMES_META = "badge_field_names"


@dataclass(frozen=True, kw_only=True)
class AttendeeListInfo:
    id: str
    event_id: str
    name: str
    entries: int
    keep_days: int
    imported_at: str
    operator: str
    file_sha256: str
    delete_on: date | None  # None: its event is gone (it is deleted at the next check)


@dataclass(frozen=True, kw_only=True)
class AttendeePreview:
    """What an import would take, before anything is stored: the columns, the mapping used
    (given or guessed), the first rows as they would be stored, and the counts."""

    columns: tuple[str, ...]
    mapping: dict[str, str]
    sample: list[dict[str, str]] = field(repr=False)  # {"id": …, "name": …, …} per row
    rows: int
    entries: int
    without_id: int
    duplicates: int
    unusable: int


@dataclass(frozen=True, kw_only=True)
class AttendeeMatch:
    """A registration id found in an attendee list: the details it gives, and which list."""

    registration_id: str
    fields: Mapping[str, str] = field(repr=False)
    list_id: str
    list_name: str


def _info(ctx: BoothContext, row: rows.ListRow) -> AttendeeListInfo:
    event = repo.get_event(ctx.vault, row.event_id)
    return AttendeeListInfo(
        id=row.id, event_id=row.event_id, name=row.name, entries=row.entries, keep_days=row.keep_days,
        imported_at=row.imported_at, operator=row.operator, file_sha256=row.file_sha256,
        delete_on=event.ends_on + timedelta(days=row.keep_days) if event else None,
    )


def _table(data: bytes, file_name: str) -> attendee_table.AttendeeTable:
    if len(data) > MAX_FILE_BYTES:
        raise attendee_table.AttendeeFileRefused(
            "The attendee file is larger than {limit} MB; split it.", limit=MAX_FILE_BYTES // (1024 * 1024)
        )
    return attendee_table.read_table(data, file_name)


def _mapping(table: attendee_table.AttendeeTable, mapping: Mapping[str, str] | None) -> dict[str, str]:
    chosen = attendee_table.guess_mapping(table.columns)
    if mapping:  # the given columns win; a target given as "" is left out
        chosen.update(mapping)
        chosen = {t: c for t, c in chosen.items() if c}
    attendee_table.check_mapping(table.columns, chosen)
    return chosen


def preview_attendee_file(
    ctx: BoothContext | None, *, data: bytes, file_name: str = "",
    mapping: Mapping[str, str] | None = None, rows_shown: int = PREVIEW_ROWS,
) -> AttendeePreview:
    """What importing ``data`` with ``mapping`` (default: guessed from the headers) would store.
    Reads nothing from and writes nothing to the vault (``ctx`` may be None)."""
    table = _table(data, file_name)
    try:
        chosen = _mapping(table, mapping)
    except attendee_table.AttendeeFileRefused:
        if mapping:
            raise
        # no id column could be guessed: show the columns so a person can map them
        return AttendeePreview(columns=table.columns, mapping=attendee_table.guess_mapping(table.columns),
                               sample=[], rows=len(table.rows), entries=0, without_id=0,
                               duplicates=0, unusable=0)
    found = attendee_table.entries(table, chosen)
    sample = [{"id": e.registration_id, **e.draft.fields} for e in list(found.by_id.values())[:rows_shown]]
    return AttendeePreview(
        columns=table.columns, mapping=chosen, sample=sample, rows=len(table.rows),
        entries=len(found.by_id), without_id=found.without_id, duplicates=found.duplicates,
        unusable=found.unusable,
    )


def import_attendee_list(
    ctx: BoothContext, *, data: bytes, file_name: str = "", mapping: Mapping[str, str] | None = None,
    event_id: str | None = None, keep_days: int = DEFAULT_KEEP_DAYS, name: str | None = None,
    operator: str | None = None,
) -> AttendeeListInfo:
    """Store the attendees of ``data`` (CSV/XLSX) as a sealed lookup for the event ``event_id``
    (default: the current one), in ONE transaction: all of it or nothing."""
    event = ctx.event(event_id)
    if not isinstance(keep_days, int) or isinstance(keep_days, bool) or not 0 <= keep_days <= MAX_KEEP_DAYS:
        raise ValidationError(
            "keep_days", "Keep an attendee list 0 to {limit} days after its event.", limit=MAX_KEEP_DAYS
        )
    if event.ends_on + timedelta(days=keep_days) <= now().date():
        raise ValidationError(
            "event", "This event ended more than {days} days ago: its attendee list would be deleted "
                     "at once. Nothing was imported.", days=keep_days,
        )
    table = _table(data, file_name)
    found = attendee_table.entries(table, _mapping(table, mapping))
    if not found.by_id:
        raise attendee_table.AttendeeFileRefused(
            "No row of the attendee file has a registration id; nothing was imported."
        )
    label = clean_text("name", name or Path(file_name).name or "attendee list")[:100] or "attendee list"
    key = sealing.new_key()
    list_id = new_id()
    sealed = []
    for normalised, entry in found.by_id.items():
        body = json.dumps({"id": entry.registration_id, "fields": dict(entry.draft.fields)},
                          ensure_ascii=False, separators=(",", ":")).encode()
        lookup = sealing.lookup_digest(key, normalised)
        sealed.append((lookup, sealing.seal(key, body, f"{list_id}:{lookup}".encode())))
    row = rows.ListRow(
        id=list_id, event_id=event.id, name=label, file_sha256=hashlib.sha256(data).hexdigest(),
        entries=len(sealed), keep_days=keep_days, imported_at=now().isoformat(),
        operator=ctx.operator_for(operator),
    )
    with ctx.vault.transaction() as conn:
        rows.insert_list(conn, row, key, sealed)
    log.info("attendee list imported: %d entries for event %s", len(sealed), event.id)
    return _info(ctx, row)


def attendee_lists(ctx: BoothContext, *, event_id: str | None = None) -> list[AttendeeListInfo]:
    return [_info(ctx, r) for r in rows.lists(ctx.vault, event_id=event_id)]


def delete_attendee_list(ctx: BoothContext, list_id: str, *, operator: str | None = None) -> AttendeeListInfo:
    """Delete a list now (staff's choice); the log records it."""
    row = next((r for r in rows.lists(ctx.vault) if r.id == list_id), None)
    if row is None:
        raise NotFound("There is no attendee list {list_id} on this laptop.", list_id=list_id)
    who = ctx.operator_for(operator)
    with ctx.vault.transaction() as conn:
        rows.delete_list(conn, row, action="deleted", operator=who, reason="deleted by staff")
    ctx.vault.scrub()
    return _info(ctx, row)


def delete_expired_attendee_lists(ctx: BoothContext, *, today: date | None = None) -> list[AttendeeListInfo]:
    """Delete every list whose event ended ``keep_days`` or more days before ``today`` (or whose
    event no longer exists); each deletion is logged. Returns what was deleted."""
    today = today or now().date()
    gone = []
    for row in rows.lists(ctx.vault):
        info = _info(ctx, row)
        if info.delete_on is not None and info.delete_on > today:
            continue
        reason = (
            "its event no longer exists" if info.delete_on is None
            else f"{row.keep_days} days after the event ended"
        )
        with ctx.vault.transaction() as conn:
            rows.delete_list(conn, row, action="expired", operator="system", reason=reason)
        gone.append(info)
    if gone:
        ctx.vault.scrub()
        log.info("attendee lists deleted after their events: %d", len(gone))
    return gone


def attendee_list_log(ctx: BoothContext) -> list[rows.LogRow]:
    return rows.log_rows(ctx.vault)


def lookup_attendee(ctx: BoothContext, registration_id: str, *, event_id: str | None = None) -> AttendeeMatch | None:
    """The attendee a list of the event (default: the current one) gives for this id, newest
    list first; None when no list knows it."""
    event = ctx.event(event_id)
    wanted = normalise_registration_id(registration_id)
    if not wanted:
        return None
    for row in rows.lists(ctx.vault, event_id=event.id):
        key = rows.list_key(ctx.vault, row.id)
        if key is None:
            continue
        lookup = sealing.lookup_digest(key, wanted)
        sealed = rows.sealed_entry(ctx.vault, row.id, lookup)
        if sealed is None:
            continue
        try:
            body = json.loads(sealing.unseal(key, sealed, f"{row.id}:{lookup}".encode()))
        except (sealing.SealBroken, ValueError):
            log.warning("an attendee list entry does not open (list %s)", row.id)
            continue
        return AttendeeMatch(registration_id=str(body["id"]), fields=dict(body["fields"]),
                             list_id=row.id, list_name=row.name)
    return None


# -- the organiser's badge JSON / link field names ------------------------------------------------

def badge_field_names(ctx: BoothContext) -> BadgeFieldNames:
    """The names badge JSON and links use on this laptop: the organiser's own first, then ours."""
    stored = repo.get_meta(ctx.vault, BADGE_NAMES_META)
    if not stored:
        return DEFAULT_FIELD_NAMES
    try:
        extra = json.loads(stored)
        return DEFAULT_FIELD_NAMES.merged({k: list(v) for k, v in extra.items()})
    except (ValueError, AttributeError, TypeError, UserFacingError):
        log.warning("stored badge field names unreadable; using the defaults")
        return DEFAULT_FIELD_NAMES


def set_badge_field_names(ctx: BoothContext, names: Mapping[str, list[str]]) -> BadgeFieldNames:
    """Remember an organiser's badge keys (``{"name": ["Teilnehmer"], "id": ["Ausweis"]}``);
    an empty mapping goes back to the defaults."""
    clean: dict[str, list[str]] = {}
    for target, keys in names.items():
        if target not in TARGETS:
            raise ValidationError(
                "badge_fields", "“{target}” is not a badge field; use one of {known}.",
                target=str(target), known=", ".join(TARGETS),
            )
        clean[target] = [clean_text("badge_fields", str(k))[:64] for k in keys if str(k).strip()][:20]
    merged = DEFAULT_FIELD_NAMES.merged(clean)
    with ctx.vault.transaction() as conn:
        repo.set_meta(conn, BADGE_NAMES_META, json.dumps(clean, ensure_ascii=False).encode())
    return merged
