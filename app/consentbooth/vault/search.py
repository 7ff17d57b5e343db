"""The leads' search indexes (SQLite FTS5, encrypted with the vault) and the queries over them.

Two indexes per lead, both rebuilt from its details and emptied when it is erased (they run with
FTS5 ``secure-delete``: a deleted entry leaves no trace in the index segments): a trigram index
for any substring of three or more characters, and a unigram/bigram index for one- and
two-character CJK queries and Latin word prefixes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from consentbooth.vault.store import Vault

SEARCH_FIELDS = ("name", "company", "title", "phone", "email", "wechat")


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalpha()


def _short_grams(text: str) -> list[str]:
    """Unigrams and bigrams of CJK runs (1–2 character queries); Latin words stay words."""
    grams: list[str] = []
    for run in re.findall(r"[^\W\d_]+", text):
        if all(_is_cjk(c) for c in run):
            grams.extend(run)
            grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _search_body(fields: Mapping[str, str]) -> str:
    values = [fields.get(f, "") for f in SEARCH_FIELDS]
    phone = fields.get("phone", "")
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        values.append(digits[2:])  # national form for partial-number search
    values.append(digits)
    return " | ".join(v for v in values if v).casefold()


def index_lead(conn, lead_id: str, fields: Mapping[str, str]) -> None:
    body = _search_body(fields)
    conn.execute("INSERT INTO lead_search (lead_id, body) VALUES (?, ?)", (lead_id, body))
    grams = " ".join(_short_grams(body)) + " " + body
    conn.execute("INSERT INTO lead_search_short (lead_id, grams) VALUES (?, ?)", (lead_id, grams))


def unindex_lead(conn, lead_id: str) -> None:
    conn.execute("DELETE FROM lead_search WHERE lead_id = ?", (lead_id,))
    conn.execute("DELETE FROM lead_search_short WHERE lead_id = ?", (lead_id,))


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class LeadSummary:
    id: str
    event_id: str
    captured_at: str
    name: str
    company: str
    phone: str
    email: str
    erased: bool


def _summary(row: tuple) -> LeadSummary:
    fields = json.loads(row[3]) if row[3] else {}
    return LeadSummary(
        id=row[0],
        event_id=row[1],
        captured_at=row[2],
        name=fields.get("name", ""),
        company=fields.get("company", ""),
        phone=fields.get("phone", ""),
        email=fields.get("email", ""),
        erased=row[4] is not None,
    )


def search_lead_ids_sql(query: str) -> tuple[str, tuple]:
    """SQL (and params) selecting the lead ids that match ``query`` (full text, any script).

    Three or more characters use the trigram index (any substring: names, companies, partial
    phone numbers, emails); one or two CJK characters use the uni/bigram index; one or two
    Latin letters match word prefixes. Unordered; append ``ORDER BY rowid DESC`` for newest
    indexed first (FTS rowid order costs no sort).
    """
    q = unicodedata.normalize("NFC", query).strip().casefold()
    if len(q) >= 3:
        return "SELECT lead_id FROM lead_search WHERE lead_search MATCH ?", (_fts_phrase(q),)
    phrase = _fts_phrase(q) if all(_is_cjk(c) for c in q) else _fts_phrase(q) + "*"
    return "SELECT lead_id FROM lead_search_short WHERE lead_search_short MATCH ?", (phrase,)


def search_leads(vault: Vault, query: str = "", *, limit: int = 200, offset: int = 0) -> list[LeadSummary]:
    """A page of leads, newest first; with a query, the page is cut inside the search index so a
    query matching tens of thousands of people never sorts them all."""
    base = "SELECT id, event_id, captured_at, fields, erased_at FROM leads"
    if query.strip():
        sub, params = search_lead_ids_sql(query)
        rows = vault.read(
            f"{base} WHERE id IN ({sub} ORDER BY rowid DESC LIMIT ? OFFSET ?) ORDER BY captured_at DESC",
            (*params, limit, offset),
        )
    else:
        rows = vault.read(f"{base} ORDER BY captured_at DESC LIMIT ? OFFSET ?", (limit, offset))
    return [_summary(r) for r in rows]


def count_leads(vault: Vault, query: str = "") -> int:
    if query.strip():
        sub, params = search_lead_ids_sql(query)
        row = vault.read_one(f"SELECT count(*) FROM ({sub})", params)
    else:
        row = vault.read_one("SELECT count(*) FROM leads")
    return int(row[0]) if row else 0
