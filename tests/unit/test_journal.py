"""The capture journal: a capture is durable in one row; the tables take it in before any read."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from consentbooth.core.errors import StorageError
from consentbooth.services.booth import Booth
from consentbooth.vault import ledger
from tests.helpers import zh_request


def _journal_rows(booth: Booth) -> int:
    return booth.vault.conn.execute("SELECT count(*) FROM capture_journal").fetchone()[0]


def _table_rows(booth: Booth, table: str) -> int:
    return booth.vault.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_capture_commits_one_journal_row_and_the_next_read_projects_it(booth: Booth) -> None:
    leads_before = _table_rows(booth, "leads")
    first = booth.capture(zh_request())
    second = booth.capture(zh_request(purposes=["newsletter"]))
    # Acknowledged, durable, and not yet in the tables: the commit wrote the journal only.
    assert _journal_rows(booth) == 2
    assert _table_rows(booth, "leads") == leads_before
    # Any read through the vault projects first, so no caller ever sees a partial picture.
    assert {s.id for s in booth.search("张伟")} >= {first.lead_id, second.lead_id}
    assert _journal_rows(booth) == 0
    assert _table_rows(booth, "leads") == leads_before + 2
    record = booth.record(second.lead_id)
    assert record.lead.fields["name"] == "张伟"
    assert record.granted() == ("newsletter",)
    entries = ledger.entries(booth.vault)
    assert entries[-1].device_seq == entries[-2].device_seq + 1
    assert entries[-1].record["prev_hash"] == entries[-2].hash  # chained across the journal
    assert booth.verify_ledger().ok
    stats = booth.dashboard_stats()
    assert stats.total == leads_before + 2 and stats.granted["newsletter"] == 2


def test_a_write_after_captures_keeps_the_chain_in_order(booth: Booth) -> None:
    lead = booth.capture(zh_request()).lead_id
    booth.capture(zh_request())
    booth.withdraw(lead_id=lead, purposes=["newsletter"], channel="email")  # projects, then appends
    entries = ledger.entries(booth.vault)
    assert [e.action for e in entries][-3:] == ["consent", "consent", "withdrawal"]
    assert [e.device_seq for e in entries] == list(range(1, len(entries) + 1))
    assert booth.verify_ledger().ok


def test_captures_left_in_the_journal_by_a_killed_process_land_at_the_next_open(
    booth: Booth, passphrase: str, tmp_path: Path
) -> None:
    path = booth.vault.path
    booth.lock()
    child = textwrap.dedent(
        f"""
        import os, sys
        from consentbooth.services.booth import Booth
        from tests.helpers import zh_request
        booth = Booth.unlock({str(path)!r}, {passphrase!r})
        ids = [booth.capture(zh_request()).lead_id for _ in range(3)]
        print(",".join(ids), flush=True)
        os._exit(0)  # no lock, no close: as if the power went
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    acknowledged = out.stdout.strip().split(",")
    reopened = Booth.unlock(path, passphrase)
    try:
        for lead_id in acknowledged:
            assert reopened.record(lead_id).lead.fields["name"] == "张伟"
        assert _journal_rows(reopened) == 0
        assert reopened.verify_ledger().ok
    finally:
        reopened.lock()


def test_a_second_connection_sees_captures_of_the_first(booth: Booth, passphrase: str) -> None:
    lead = booth.capture(zh_request()).lead_id
    other = Booth.unlock(booth.vault.path, passphrase)
    try:
        assert other.record(lead).lead.fields["name"] == "张伟"
    finally:
        other.lock()
    later = booth.capture(zh_request()).lead_id  # the first connection chains on the projected entry
    assert booth.record(later).lead.id == later
    assert booth.verify_ledger().ok


def test_a_disk_full_projection_loses_nothing(booth: Booth, passphrase: str) -> None:
    booth.capture(zh_request())
    booth.vault.settle()
    conn = booth.vault.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {int(pages) + 3:d}")
    acknowledged = []
    with pytest.raises(StorageError):
        for _ in range(200):
            acknowledged.append(booth.capture(zh_request()).lead_id)
            booth.count()  # projecting needs room too: whichever step fills the disk says so
    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    for lead_id in acknowledged:
        assert booth.record(lead_id).lead.fields["name"] == "张伟"
    assert booth.verify_ledger().ok
    assert booth.vault.integrity_problems() == []


def test_lock_projects_the_journal(booth: Booth, passphrase: str) -> None:
    path = booth.vault.path
    lead = booth.capture(zh_request()).lead_id
    booth.lock()
    import sqlcipher3

    conn = sqlcipher3.connect(str(path))
    conn.set_key(passphrase)
    try:
        assert conn.execute("SELECT count(*) FROM capture_journal").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM leads WHERE id = ?", (lead,)).fetchone()[0] == 1
    finally:
        conn.close()


def test_the_sealed_entry_states_exactly_the_event_decided_at_capture(booth: Booth) -> None:
    from consentbooth.domain.models import Guardian

    result = booth.capture(
        zh_request(
            under_14=True,
            guardian=Guardian(name="张强", relationship="父亲"),
            signature_png=b"\x89PNG\r\n\x1a\nsignature",
        )
    )
    journalled = json.loads(booth.vault.conn.execute("SELECT record FROM capture_journal").fetchone()[0])
    entry = ledger.get(booth.vault, result.ledger_id)  # projects, sealing the event
    assert entry.record["event"] == journalled["event"]
    assert entry.record["event"]["extra"] == {"guardian_consent": True, "source": "typed"}
    assert entry.occurred_at == journalled["event"]["occurred_at"]
    record = booth.record(result.lead_id)
    assert record.lead.signature_png == b"\x89PNG\r\n\x1a\nsignature"
    assert record.lead.guardian == Guardian(name="张强", relationship="父亲")
    assert record.history[0].occurred_at == record.lead.captured_at
    assert booth.verify_ledger().ok
