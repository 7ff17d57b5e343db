"""The hub's setup as it is and as it was (organisation, events, purposes, notices, staff)."""

from __future__ import annotations

from datetime import datetime

from consentbooth.domain.models import Event, Organisation, Purpose
from consentbooth.domain.notice import Notice
from consentbooth.hub.postgres.base import Connected
from consentbooth.vault import codec
from consentbooth.vault.repo import ORGANISATION_KEY, StaffMember, history_time


class SetupReads(Connected):
    def organisation(self) -> Organisation | None:
        row = self._one("SELECT data FROM organisation WHERE id = 1")
        return codec.organisation_from_json(row[0]) if row else None

    def events(self) -> list[Event]:
        rows = self.conn.execute("SELECT data FROM events ORDER BY created_at").fetchall()
        return [codec.event_from_json(r[0]) for r in rows]

    def get_event(self, event_id: str) -> Event | None:
        row = self._one("SELECT data FROM events WHERE id = %s", (event_id,))
        return codec.event_from_json(row[0]) if row else None

    def current_event(self) -> Event | None:
        row = self._one("SELECT data FROM events ORDER BY is_current DESC, created_at DESC LIMIT 1")
        return codec.event_from_json(row[0]) if row else None

    def purposes(self) -> list[Purpose]:
        rows = self.conn.execute("SELECT data FROM purposes ORDER BY position").fetchall()
        return [codec.purpose_from_json(r[0]) for r in rows]

    def latest_notice(self) -> Notice | None:
        row = self._one("SELECT version, sections FROM notices ORDER BY version DESC LIMIT 1")
        return codec.notice_from_row(row[0], row[1]) if row else None

    def get_notice(self, version: int) -> Notice | None:
        row = self._one("SELECT version, sections FROM notices WHERE version = %s", (version,))
        return codec.notice_from_row(row[0], row[1]) if row else None

    def staff(self) -> list[StaffMember]:
        rows = self.conn.execute("SELECT id, name, initials, active FROM staff ORDER BY name").fetchall()
        return [StaffMember(r[0], r[1], r[2], bool(r[3])) for r in rows]

    # The version in force at a time, as vault/repo.py ``_AS_OF`` reads it.
    _AS_OF = (
        "coalesce("
        "(SELECT h.data FROM setup_history h WHERE h.kind = %(kind)s AND h.key = {key} "
        " AND h.valid_from <= %(at)s ORDER BY h.valid_from DESC, h.id DESC LIMIT 1), "
        "(SELECT h.data FROM setup_history h WHERE h.kind = %(kind)s AND h.key = {key} "
        " ORDER BY h.valid_from, h.id LIMIT 1), {current})"
    )

    def organisation_as_of(self, at: str | datetime) -> Organisation | None:
        row = self._one(
            "SELECT " + self._AS_OF.format(key="%(key)s", current="o.data") + " FROM organisation o WHERE o.id = 1",
            {"kind": "organisation", "at": history_time(at), "key": ORGANISATION_KEY},
        )
        return codec.organisation_from_json(row[0]) if row else None

    def event_as_of(self, event_id: str, at: str | datetime) -> Event | None:
        row = self._one(
            "SELECT " + self._AS_OF.format(key="e.id", current="e.data") + " FROM events e WHERE e.id = %(key)s",
            {"kind": "event", "at": history_time(at), "key": event_id},
        )
        return codec.event_from_json(row[0]) if row else None

    def event_versions(self, event_id: str) -> list[Event]:
        rows = self.conn.execute(
            "SELECT data FROM setup_history WHERE kind = 'event' AND key = %s ORDER BY valid_from, id",
            (event_id,),
        ).fetchall()
        return [codec.event_from_json(r[0]) for r in rows]

    def purposes_as_of(self, at: str | datetime) -> list[Purpose]:
        rows = self.conn.execute(
            "SELECT " + self._AS_OF.format(key="p.code", current="p.data") + " FROM purposes p ORDER BY p.position",
            {"kind": "purpose", "at": history_time(at)},
        ).fetchall()
        return [codec.purpose_from_json(r[0]) for r in rows]
