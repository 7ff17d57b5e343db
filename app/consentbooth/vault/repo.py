"""Repositories: typed reads and writes over the vault's tables. No business rules here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from consentbooth.domain.models import (
    CollectionMethod,
    DeviceId,
    Event,
    EventId,
    Guardian,
    Lead,
    LeadId,
    Organisation,
    Purpose,
)
from consentbooth.domain.notice import Notice
from consentbooth.vault import codec
from consentbooth.vault.search import index_lead, unindex_lead
from consentbooth.vault.store import Vault


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# -- meta --------------------------------------------------------------------------------------

def get_meta(vault: Vault, key: str) -> bytes | None:
    row = vault.read_one("SELECT value FROM meta WHERE key = ?", (key,))
    if row is None:
        return None
    value = row[0]
    return value.encode() if isinstance(value, str) else bytes(value)


def set_meta(conn, key: str, value: bytes) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


# -- organisation, events, notices, purposes, staff ------------------------------------------------

def get_organisation(vault: Vault) -> Organisation | None:
    row = vault.read_one("SELECT data FROM organisation WHERE id = 1")
    return codec.organisation_from_json(row[0]) if row else None


def set_organisation(conn, org: Organisation) -> None:
    data = codec.organisation_to_json(org)
    _remember(conn, "organisation", ORGANISATION_KEY, data,
              conn.execute("SELECT data FROM organisation WHERE id = 1").fetchone())
    conn.execute(
        "INSERT INTO organisation (id, data) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        (data,),
    )


def save_event(conn, event: Event, *, current: bool = False) -> None:
    data = codec.event_to_json(event)
    _remember(conn, "event", event.id, data,
              conn.execute("SELECT data FROM events WHERE id = ?", (event.id,)).fetchone())
    conn.execute(
        "INSERT INTO events (id, data, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
        (event.id, data, now_iso()),
    )
    if current:
        conn.execute("UPDATE events SET is_current = (id = ?)", (event.id,))


def list_events(vault: Vault) -> list[Event]:
    rows = vault.read("SELECT data FROM events ORDER BY created_at")
    return [codec.event_from_json(r[0]) for r in rows]


def get_event(vault: Vault, event_id: str) -> Event | None:
    row = vault.read_one("SELECT data FROM events WHERE id = ?", (event_id,))
    return codec.event_from_json(row[0]) if row else None


def current_event(vault: Vault) -> Event | None:
    row = vault.read_one(
        "SELECT data FROM events ORDER BY is_current DESC, created_at DESC LIMIT 1"
    )
    return codec.event_from_json(row[0]) if row else None


def publish_notice(conn, sections: Mapping[str, Mapping[str, str]]) -> Notice:
    last = conn.execute("SELECT max(version) FROM notices").fetchone()[0] or 0
    notice = Notice(version=last + 1, sections=sections)
    conn.execute(
        "INSERT INTO notices (version, sections, sha256_zh, sha256_en, published_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            notice.version,
            codec.notice_sections_to_json(notice),
            notice.sha256("zh-CN"),
            notice.sha256("en"),
            now_iso(),
        ),
    )
    return notice


def latest_notice(vault: Vault) -> Notice | None:
    row = vault.read_one("SELECT version, sections FROM notices ORDER BY version DESC LIMIT 1")
    return codec.notice_from_row(row[0], row[1]) if row else None


def get_notice(vault: Vault, version: int) -> Notice | None:
    row = vault.read_one("SELECT version, sections FROM notices WHERE version = ?", (version,))
    return codec.notice_from_row(row[0], row[1]) if row else None


def save_purposes(conn, purposes: Iterable[Purpose]) -> None:
    for position, p in enumerate(purposes):
        data = codec.purpose_to_json(p)
        _remember(conn, "purpose", p.code, data,
                  conn.execute("SELECT data FROM purposes WHERE code = ?", (p.code,)).fetchone())
        conn.execute(
            "INSERT INTO purposes (code, position, data) VALUES (?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET position = excluded.position, data = excluded.data",
            (p.code, position, data),
        )


def list_purposes(vault: Vault) -> list[Purpose]:
    return [codec.purpose_from_json(r[0]) for r in vault.read("SELECT data FROM purposes ORDER BY position")]


# -- the setup as it was: setup_history (see migrations.V3) ---------------------------------------

ORGANISATION_KEY = "1"

_CODECS: dict[str, tuple[Callable[[str], Any], Callable[[Any], str]]] = {
    "organisation": (codec.organisation_from_json, codec.organisation_to_json),
    "event": (codec.event_from_json, codec.event_to_json),
    "purpose": (codec.purpose_from_json, codec.purpose_to_json),
}


def history_time(at: str | datetime) -> str:
    """``at`` (ISO text or datetime; naive means UTC) as setup_history orders time: UTC, microseconds.

    One fixed width, so text order is time order whatever offset the ledger recorded."""
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _normalised(kind: str, data: str) -> str:
    """Stored JSON as today's codec writes it (older vaults wrote some objects with fewer keys)."""
    decode, encode = _CODECS[kind]
    try:
        return encode(decode(data))
    except (ValueError, TypeError, KeyError, AttributeError):
        return data


def _remember(conn, kind: str, key: str, data: str, stored: tuple | None) -> None:
    """Append ``data`` to the history of (kind, key) unless it is already the latest version.

    ``stored`` is the row the setup table holds before this write: a row that has no history yet
    (brought in by a merge) is first kept as valid since the beginning, so no version is lost."""
    last = conn.execute(
        "SELECT data, valid_from FROM setup_history WHERE kind = ? AND key = ? "
        "ORDER BY rowid DESC LIMIT 1",
        (kind, key),
    ).fetchone()
    latest, since = (last[0], last[1]) if last else (None, "")
    if latest is None and stored is not None:
        latest = stored[0]
        conn.execute(
            "INSERT INTO setup_history (kind, key, data, valid_from) VALUES (?, ?, ?, '')",
            (kind, key, latest),
        )
    if latest is None or _normalised(kind, latest) != data:
        # never before the version it replaces, even if the clock was set back meanwhile
        conn.execute(
            "INSERT INTO setup_history (kind, key, data, valid_from) VALUES (?, ?, ?, ?)",
            (kind, key, data, max(history_time(now_iso()), since)),
        )


# The version in force at a time: the latest one valid from then or earlier; when the time is
# older than every recorded version (the thing was created later), the first version recorded;
# with no history at all, the setup table's current row.
# Parameters: ?1 the kind, ?2 the time (``history_time``), ?3 the key where {key} names it.
_AS_OF = (
    "coalesce("
    "(SELECT h.data FROM setup_history h WHERE h.kind = ?1 AND h.key = {key} "
    " AND h.valid_from <= ?2 ORDER BY h.valid_from DESC, h.rowid DESC LIMIT 1), "
    "(SELECT h.data FROM setup_history h WHERE h.kind = ?1 AND h.key = {key} "
    " ORDER BY h.valid_from, h.rowid LIMIT 1), "
    "{current})"
)


def organisation_as_of(vault: Vault, at: str | datetime) -> Organisation | None:
    """The organisation profile as it was at ``at`` (ISO text with offset, or aware datetime)."""
    row = vault.read_one(
        "SELECT " + _AS_OF.format(key="?3", current="o.data") + " FROM organisation o WHERE o.id = 1",
        ("organisation", history_time(at), ORGANISATION_KEY),
    )
    return codec.organisation_from_json(row[0]) if row else None


def event_as_of(vault: Vault, event_id: str, at: str | datetime) -> Event | None:
    """The event ``event_id`` as it was at ``at``."""
    row = vault.read_one(
        "SELECT " + _AS_OF.format(key="e.id", current="e.data") + " FROM events e WHERE e.id = ?3",
        ("event", history_time(at), event_id),
    )
    return codec.event_from_json(row[0]) if row else None


def event_versions(vault: Vault, event_id: str) -> list[Event]:
    """Every recorded version of an event, oldest first (empty for a vault without history)."""
    rows = vault.read(
        "SELECT data FROM setup_history WHERE kind = 'event' AND key = ? ORDER BY valid_from, rowid",
        (event_id,),
    )
    return [codec.event_from_json(r[0]) for r in rows]


def purposes_as_of(vault: Vault, at: str | datetime) -> list[Purpose]:
    """Every purpose as it was at ``at``, in today's order (codes are never removed)."""
    rows = vault.read(
        "SELECT " + _AS_OF.format(key="p.code", current="p.data") + " FROM purposes p "
        "ORDER BY p.position",
        ("purpose", history_time(at)),
    )
    return [codec.purpose_from_json(r[0]) for r in rows]


def setup_history_count(vault: Vault) -> int:
    row = vault.read_one("SELECT count(*) FROM setup_history")
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    initials: str
    active: bool = True


def save_staff(conn, member: StaffMember) -> None:
    conn.execute(
        "INSERT INTO staff (id, name, initials, active) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, initials = excluded.initials, "
        "active = excluded.active",
        (member.id, member.name, member.initials, int(member.active)),
    )


def list_staff(vault: Vault) -> list[StaffMember]:
    rows = vault.read("SELECT id, name, initials, active FROM staff ORDER BY name")
    return [StaffMember(r[0], r[1], r[2], bool(r[3])) for r in rows]


# -- leads and search ----------------------------------------------------------------------------

LEAD_COLUMNS = (
    "id", "event_id", "device_id", "captured_at", "language", "operator", "collection_method",
    "fields", "signature_png", "guardian", "erased_at",
)
_LEAD_COLUMNS = ", ".join(LEAD_COLUMNS)
# A row as stored: LEAD_COLUMNS plus these two.
LEAD_ROW_KEYS = (*LEAD_COLUMNS, "data_digest", "updated_at")


def _lead(row: tuple) -> Lead:
    r = dict(zip(LEAD_COLUMNS, row, strict=True))
    guardian = json.loads(r["guardian"]) if r["guardian"] else None
    return Lead(
        id=LeadId(r["id"]),
        event_id=EventId(r["event_id"]),
        device_id=DeviceId(r["device_id"]),
        captured_at=datetime.fromisoformat(r["captured_at"]),
        language=r["language"],
        operator=r["operator"],
        collection_method=CollectionMethod(r["collection_method"]),
        fields=json.loads(r["fields"]) if r["fields"] else {},
        signature_png=bytes(r["signature_png"]) if r["signature_png"] is not None else None,
        guardian=Guardian(**guardian) if guardian else None,
        erased_at=datetime.fromisoformat(r["erased_at"]) if r["erased_at"] else None,
    )


def lead_row(lead: Lead, *, data_digest: str) -> dict[str, object]:
    """The ``leads`` row of a lead, by column name (``LEAD_ROW_KEYS``)."""
    return {
        "id": lead.id,
        "event_id": lead.event_id,
        "device_id": lead.device_id,
        "captured_at": lead.captured_at.isoformat(),
        "language": lead.language,
        "operator": lead.operator,
        "collection_method": lead.collection_method.value,
        "fields": codec.dumps(dict(lead.fields)),
        "signature_png": lead.signature_png,
        "guardian": codec.dumps(lead.guardian.__dict__) if lead.guardian else None,
        "erased_at": lead.erased_at.isoformat() if lead.erased_at else None,
        "data_digest": data_digest,
        "updated_at": now_iso(),
    }


def insert_lead_row(conn, row: Mapping[str, object]) -> None:
    """Insert a ``lead_row`` and index it for search (erased rows hold nothing to index)."""
    conn.execute(
        f"INSERT INTO leads ({', '.join(LEAD_ROW_KEYS)}) "
        f"VALUES ({', '.join('?' * len(LEAD_ROW_KEYS))})",
        tuple(row[k] for k in LEAD_ROW_KEYS),
    )
    fields = json.loads(str(row["fields"])) if row["fields"] else {}
    if row["erased_at"] is None and fields:
        index_lead(conn, str(row["id"]), fields)


def get_lead(vault: Vault, lead_id: str) -> Lead | None:
    row = vault.read_one(f"SELECT {_LEAD_COLUMNS} FROM leads WHERE id = ?", (lead_id,))
    return _lead(row) if row else None


def lead_digest(vault: Vault, lead_id: str) -> str | None:
    row = vault.read_one("SELECT data_digest FROM leads WHERE id = ?", (lead_id,))
    return row[0] if row else None


def update_lead_fields(conn, lead_id: str, fields: Mapping[str, str], data_digest: str) -> None:
    conn.execute(
        "UPDATE leads SET fields = ?, data_digest = ?, updated_at = ? WHERE id = ?",
        (codec.dumps(dict(fields)), data_digest, now_iso(), lead_id),
    )
    unindex_lead(conn, lead_id)
    index_lead(conn, lead_id, fields)


def erase_lead(conn, lead_id: str) -> None:
    """Remove every contact detail; keep the pseudonymous evidence row (id, event, digest)."""
    conn.execute(
        "UPDATE leads SET fields = NULL, signature_png = NULL, guardian = NULL, erased_at = ?, "
        "updated_at = ? WHERE id = ?",
        (now_iso(), now_iso(), lead_id),
    )
    unindex_lead(conn, lead_id)
    conn.execute("DELETE FROM certificates WHERE lead_id = ?", (lead_id,))


def leads_captured_before(vault: Vault, *, event_id: str, cutoff: str) -> list[str]:
    """Ids of an event's leads that still hold details and were captured before ``cutoff`` (UTC ISO)."""
    rows = vault.read(
        "SELECT id, captured_at FROM leads WHERE event_id = ? AND erased_at IS NULL", (event_id,)
    )
    cut = datetime.fromisoformat(cutoff)
    return [r[0] for r in rows if datetime.fromisoformat(r[1]) < cut]


def iter_leads(vault: Vault, *, event_ids: Iterable[str] | None = None) -> Iterator[Lead]:
    if event_ids is None:
        rows = vault.read(f"SELECT {_LEAD_COLUMNS} FROM leads ORDER BY captured_at")
    else:
        ids = list(event_ids)
        marks = ",".join("?" * len(ids))
        rows = vault.read(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE event_id IN ({marks}) ORDER BY captured_at",
            ids,
        )
    for row in rows:
        yield _lead(row)


# -- consent state (derived from the ledger, kept in the same transaction) ----------------------

def set_consent_state(
    conn, *, lead_id: str, purpose: str, state: str, since: str, expires_at: str | None, ledger_id: str
) -> None:
    conn.execute(
        "INSERT INTO consent_state (lead_id, purpose, state, since, expires_at, ledger_id) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lead_id, purpose) DO UPDATE SET "
        "state = excluded.state, since = excluded.since, expires_at = excluded.expires_at, "
        "ledger_id = excluded.ledger_id WHERE excluded.since >= consent_state.since",
        (lead_id, purpose, state, since, expires_at, ledger_id),
    )


def consent_states(vault: Vault, lead_id: str) -> dict[str, tuple[str, str, str | None]]:
    rows = vault.read(
        "SELECT purpose, state, since, expires_at FROM consent_state WHERE lead_id = ?", (lead_id,)
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def bump_anonymous_count(conn, *, event_id: str, kind: str, at: datetime) -> None:
    hour = at.astimezone(UTC).strftime("%Y-%m-%dT%H:00Z")
    conn.execute(
        "INSERT INTO anonymous_counts (event_id, hour, kind, count) VALUES (?, ?, ?, 1) "
        "ON CONFLICT (event_id, hour, kind) DO UPDATE SET count = count + 1",
        (event_id, hour, kind),
    )


def anonymous_counts(vault: Vault, event_id: str | None = None) -> dict[str, int]:
    if event_id:
        rows = vault.read(
            "SELECT kind, sum(count) FROM anonymous_counts WHERE event_id = ? GROUP BY kind", (event_id,)
        )
    else:
        rows = vault.read("SELECT kind, sum(count) FROM anonymous_counts GROUP BY kind")
    return {r[0]: int(r[1]) for r in rows}


def captured_per_utc_hour(vault: Vault, *, event_id: str | None, since_utc: str) -> dict[str, int]:
    """Captures per UTC hour bucket ("YYYY-MM-DDTHH:00Z") from the anonymous counters."""
    sql = "SELECT hour, sum(count) FROM anonymous_counts WHERE kind = 'captured' AND hour >= ?"
    params: list[object] = [since_utc]
    if event_id:
        sql += " AND event_id = ?"
        params.append(event_id)
    return {r[0]: int(r[1]) for r in vault.read(sql + " GROUP BY hour", params)}


def decisions_at_capture(
    vault: Vault, *, event_id: str | None, since: str, until: str
) -> list[tuple[str, str, int]]:
    """(purpose, decision, count) over consent events in [since, until) (ISO with offsets)."""
    sql = (
        "SELECT d.key, d.value, count(*) FROM ledger g, "
        "json_each(CAST(g.body AS TEXT), '$.event.decisions') d "
        "WHERE g.action = 'consent' AND julianday(g.occurred_at) >= julianday(?) "
        "AND julianday(g.occurred_at) < julianday(?)"
    )
    params: list[object] = [since, until]
    if event_id:
        sql += " AND json_extract(CAST(g.body AS TEXT), '$.event.event_id') = ?"
        params.append(event_id)
    return [(r[0], r[1], int(r[2])) for r in vault.read(sql + " GROUP BY d.key, d.value", params)]
