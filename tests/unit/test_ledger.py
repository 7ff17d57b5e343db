from __future__ import annotations

import json

import pytest

from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.services.booth import Booth
from consentbooth.vault import ledger
from tests.helpers import ZH_LEAD, zh_request


def test_each_event_is_canonical_chained_and_signed(booth: Booth) -> None:
    lead = booth.capture(zh_request()).lead_id
    booth.withdraw(lead_id=lead, purposes=["newsletter"], channel="email", note="unsubscribed by mail")
    entries = ledger.entries(booth.vault, lead_id=lead)
    assert [e.action for e in entries] == ["consent", "withdrawal"]
    first, second = entries
    assert first.record["prev_hash"] == ledger.GENESIS
    assert second.record["prev_hash"] == first.hash
    for e in entries:
        assert canonical_bytes(json.loads(e.body)) == e.body
        assert sha256_hex(e.body) == e.hash
    consent = first.event
    assert consent.decisions["sales_contact"].value == "granted"
    assert consent.decisions["partner_sharing"].value == "not_granted"
    assert set(consent.purposes_shown) == {p.code for p in booth.offered_purposes()}
    assert consent.notice_sha256 == booth.notice().sha256("zh-CN")
    assert consent.occurred_at.tzinfo is not None
    assert second.event.decisions == {"newsletter": second.event.decisions["newsletter"]}
    assert second.event.channel == "email"
    assert booth.verify_ledger().ok


def test_ledger_holds_no_contact_details(booth: Booth) -> None:
    booth.capture(zh_request())
    bodies = b"".join(e.body for e in ledger.entries(booth.vault))
    for value in ZH_LEAD.values():
        assert value.encode() not in bodies
    assert b"+8613800138000" not in bodies


def test_database_refuses_update_and_delete(booth: Booth) -> None:
    booth.capture(zh_request())
    booth.vault.settle()  # raw SQL below: project the capture journal first
    conn = booth.vault.conn
    with pytest.raises(Exception, match="append-only"):
        conn.execute("UPDATE ledger SET action = 'withdrawal'")
    with pytest.raises(Exception, match="append-only"):
        conn.execute("DELETE FROM ledger")


def test_edited_event_is_named_by_verify(booth: Booth) -> None:
    ids = []
    for _ in range(3):
        ids.append(booth.capture(zh_request()).ledger_id)
    booth.vault.settle()  # raw SQL below: project the capture journal first
    conn = booth.vault.conn
    conn.execute("DROP TRIGGER ledger_no_update")
    body = json.loads(conn.execute("SELECT body FROM ledger WHERE id = ?", (ids[1],)).fetchone()[0])
    body["event"]["decisions"]["partner_sharing"] = "granted"
    conn.execute("UPDATE ledger SET body = ? WHERE id = ?", (canonical_bytes(body), ids[1]))
    report = booth.verify_ledger()
    assert not report.ok
    assert report.first_bad == ids[1]
    assert "hash" in report.reason


def test_recomputed_hash_without_the_key_fails_on_signature(booth: Booth) -> None:
    ids = [booth.capture(zh_request()).ledger_id for _ in range(2)]
    booth.vault.settle()  # raw SQL below: project the capture journal first
    conn = booth.vault.conn
    conn.execute("DROP TRIGGER ledger_no_update")
    body = json.loads(conn.execute("SELECT body FROM ledger WHERE id = ?", (ids[1],)).fetchone()[0])
    body["event"]["operator"] = "mallory"
    raw = canonical_bytes(body)
    conn.execute("UPDATE ledger SET body = ?, hash = ? WHERE id = ?", (raw, sha256_hex(raw), ids[1]))
    report = booth.verify_ledger()
    assert (report.ok, report.first_bad, report.reason) == (False, ids[1], "its signature is not valid")


def test_deleted_event_breaks_the_chain(booth: Booth) -> None:
    ids = [booth.capture(zh_request()).ledger_id for _ in range(3)]
    booth.vault.settle()  # raw SQL below: project the capture journal first
    conn = booth.vault.conn
    conn.execute("DROP TRIGGER ledger_no_delete")
    conn.execute("DELETE FROM ledger WHERE id = ?", (ids[1],))
    report = booth.verify_ledger()
    assert not report.ok
    assert report.first_bad == ids[2]
    assert "missing" in report.reason
