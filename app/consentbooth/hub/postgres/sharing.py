"""Who may be shared for which purposes (exports stream in one snapshot), who must be suppressed,
and the sharing log."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from consentbooth.hub.postgres.base import Connected, aad
from consentbooth.vault.sharing import ConsentingLead, SharingEntry, Suppressed


class SharingReads(Connected):
    # The current grants of the wanted purposes, hash-joined with the people (one pass over each
    # table, no per-person lookups: a million of them is what makes a report slow). Who holds
    # all n of them has n such rows (one state per person and purpose); with one purpose, every
    # row is a person. Grouping every state before the join, as this did, hid the size from the
    # planner (it guessed a few thousand people from "HAVING count(*) = n"), which then looked
    # each person up by key: 7.6 s for a million people, 1.0 s now.
    _GRANTS = """
        FROM consent_state s JOIN leads l ON l.id = s.lead_id
        WHERE s.purpose = ANY(%(purposes)s) AND s.state = 'granted'
              AND (s.expires_at IS NULL OR s.expires_at > %(now)s) AND l.erased_at IS NULL{event_filter}
    """

    def _consenting_params(self, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime) -> dict:
        return {"purposes": list(dict.fromkeys(purposes)), "n": len(set(purposes)), "now": now.isoformat(),
                "events": list(event_ids or [])}

    def count_consenting(self, *, purposes: Sequence[str], event_ids: Sequence[str] | None, now: datetime) -> int:
        """How many people iter_consenting yields (an export's progress total)."""
        params = self._consenting_params(purposes, event_ids, now)
        grants = self._GRANTS.format(event_filter=" AND l.event_id = ANY(%(events)s)" if event_ids else "")
        query = (f"SELECT count(*) {grants}" if params["n"] == 1 else
                 f"SELECT count(*) FROM (SELECT l.id {grants} GROUP BY l.id HAVING count(*) = %(n)s) a")
        row = self._one(query, params)
        return int(row[0])  # type: ignore[index]

    # What an export reads (tests/bench/bench_hub.py copies the same rows with psql as its baseline).
    # A person's consent states come as one text (purpose, state, since, expires_at or "", notice
    # version, notice SHA-256; fields split by U+001F, states by U+001E, as _read_states reads
    # them): a nested text[] array took psycopg about a quarter of the rows' reading time to parse.
    # The last column: a partner's list (issue #16), its partner and proof hash from the import's
    # consent event (no SQL comment here: the benchmark runs the query folded onto one line).
    EXPORT_QUERY = """
        SELECT l.id, l.event_id, l.device_id, l.fields_enc,
               (SELECT string_agg(concat_ws(chr(31), s.purpose, s.state, s.since, coalesce(s.expires_at, ''),
                                            s.notice_version, s.notice_sha256), chr(30))
                FROM consent_state s WHERE s.lead_id = l.id),
               (SELECT k.id FROM certificates k WHERE k.lead_id = l.id AND k.kind = 'consent'
                ORDER BY k.created_at DESC LIMIT 1),
               CASE WHEN l.collection_method = 'third_party' THEN
                   (SELECT convert_from(g.body, 'UTF8')::jsonb #> '{{event,extra,third_party}}' FROM ledger g
                    WHERE g.lead_id = l.id AND g.action = 'consent' ORDER BY g.seq LIMIT 1) END
        FROM leads l
        WHERE l.erased_at IS NULL{event_filter}
        ORDER BY l.captured_at
    """

    def iter_consenting(self, *, purposes: Sequence[str], event_ids: Sequence[str] | None,
                        now: datetime) -> Iterator[ConsentingLead]:
        """People in capture order (the index on captured_at: no sort, the first rows come at once),
        each with their consent states (a primary-key range) and latest consent certificate; who
        holds a current grant of every wanted purpose is decided here, as vault/sharing.py does."""
        event_filter = " AND l.event_id = ANY(%(events)s)" if event_ids else ""
        query = self.EXPORT_QUERY.format(event_filter=event_filter)
        wanted = list(dict.fromkeys(purposes))
        at = now.isoformat()
        with self._stream(query, {"events": list(event_ids or [])}) as cur:
            for r in self._prefetched(cur):
                current, states = _read_states(r[4], at)
                try:
                    first = min([current[code] for code in wanted], key=_since)
                except KeyError:  # no current grant of a wanted purpose
                    continue
                partner = r[6] if isinstance(r[6], dict) else {}
                yield ConsentingLead(
                    lead_id=r[0], event_id=r[1], device_id=r[2], fields=self._fields(r[0], r[3]),
                    purposes_granted=tuple(current), consent_time=first[0], notice_version=int(first[1]),
                    notice_sha256=first[2], certificate_id=r[5] or "", states=states,
                    source=str(partner.get("source") or "booth"),
                    source_proof_sha256=str(partner.get("proof_sha256") or ""),
                )

    def iter_suppressed(self, *, now: datetime | None = None) -> Iterator[Suppressed]:
        query = """
            SELECT l.id, l.fields_enc, l.erased_at,
                   (SELECT string_agg(purpose, ';' ORDER BY purpose) FROM consent_state s WHERE s.lead_id = l.id
                        AND s.state IN ('withdrawn', 'expired')),
                   (SELECT max(since) FROM consent_state s WHERE s.lead_id = l.id
                        AND s.state IN ('withdrawn', 'expired')),
                   k.email_enc, k.phone_enc,
                   (SELECT string_agg(purpose, ';') FROM consent_state s WHERE s.lead_id = l.id
                        AND s.state = 'granted' AND (s.expires_at IS NULL OR s.expires_at > %(now)s))
            FROM leads l LEFT JOIN suppression_keys k ON k.lead_id = l.id
            WHERE l.erased_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM consent_state s WHERE s.lead_id = l.id AND s.state IN ('withdrawn', 'expired'))
            ORDER BY l.id COLLATE "C"
        """
        with self._stream(query, {"now": (now or datetime.now(UTC)).isoformat()}) as cur:
            for r in cur:
                email = self.open_sealed(r[5], aad("suppression", r[0], "email"))
                phone = self.open_sealed(r[6], aad("suppression", r[0], "phone"))
                yield Suppressed(
                    lead_id=r[0], fields=self._fields(r[0], r[1]),
                    purposes_withdrawn=tuple(r[3].split(";")) if r[3] else (),
                    withdrawn_at=r[2] or r[4] or "", erased=r[2] is not None,
                    email_sha256=email.decode() if email else "", phone_sha256=phone.decode() if phone else "",
                    **_if_field(Suppressed, "purposes_granted", tuple(r[7].split(";")) if r[7] else ()),
                )

    def log_sharing(self, entry: SharingEntry) -> None:
        with self.writing(()):
            self.conn.execute(
                "INSERT INTO sharing_log (at, kind, format, purposes, events, count, recipient, operator, "
                "file_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (entry.at, entry.kind, entry.format, json.dumps(list(entry.purposes)),
                 json.dumps(list(entry.events)), entry.count, entry.recipient, entry.operator, entry.file_name),
            )

    def sharing_log(self) -> list[SharingEntry]:
        rows = self.conn.execute(
            "SELECT at, kind, format, purposes, events, count, recipient, operator, file_name "
            "FROM sharing_log ORDER BY id DESC"
        ).fetchall()
        return [SharingEntry(r[0], r[1], r[2], tuple(json.loads(r[3])), tuple(json.loads(r[4])), r[5], r[6],
                             r[7], r[8]) for r in rows]


def _since(grant: Sequence[str]) -> str:
    return grant[0]


def _read_states(text: str | None, at: str) -> tuple[dict[str, tuple[str, str, str]], tuple[tuple[str, str], ...]]:
    """A person's consent states as EXPORT_QUERY gives them, at the time ``at``: their current
    grants (purpose -> (since, notice version, notice SHA-256)) and every purpose's state (a
    lapsed grant is "expired"), both in purpose order."""
    current: dict[str, tuple[str, str, str]] = {}
    states = []
    if text:
        # purpose first, then U+001F (below any character of a purpose): the texts sort by purpose
        for state in sorted(text.split("\x1e")):
            purpose, status, since, expires_at, version, sha256 = state.split("\x1f")
            if status == "granted":
                if not expires_at or expires_at > at:
                    current[purpose] = (since, version, sha256)
                else:
                    status = "expired"
            states.append((purpose, status))
    return current, tuple(states)


def _if_field(cls: type, name: str, value: object) -> dict[str, object]:
    """``{name: value}`` when the dataclass has that field (newer export columns)."""
    return {name: value} if name in getattr(cls, "__dataclass_fields__", {}) else {}
