"""Exports from the PostgreSQL hub: the same files as from a hub vault that merged the same bundle,
also once grants have lapsed, for several purposes and for one event; and the streamed read
behind them (the next batch fetched while the caller works), stopped early or failing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
import pytest

from consentbooth.hub.postgres import base
from consentbooth.hub.postgres.sharing import _read_states
from consentbooth.services import exports
from consentbooth.services.booth import Booth
from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
from tests.hub import world as worlds
from tests.hub.conftest import PASS, HubDatabase

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def hubs(pg_server, tmp_path_factory: pytest.TempPathFactory):
    from tests.support.postgres import OPS_ROLE_PASSWORD

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PGPASSWORD", OPS_ROLE_PASSWORD)
        root = tmp_path_factory.mktemp("exports")
        db = HubDatabase(pg_server)
        init_postgres_hub(db.admin_url, key=HubKey(passphrase=PASS), organisation_name="Example")
        pg = open_ops_hub(db.ops_url(), key=HubKey(passphrase=PASS))
        world = worlds.build(root, pg, laptops=1, leads=120, second_bundle=False)
        vault = Booth.create(root / "hub.cbvault", PASS, role="hub")
        vault.approve_devices([world.laptops[0].fingerprint])
        for hub in (pg, vault):
            assert all(r.ok for r in hub.merge_files(paths=world.bundles(), identity_text=world.ops_secret))
        try:
            yield {"pg": pg, "vault": vault, "root": root}
        finally:
            pg.lock()
            vault.lock()


def _lapsing(pg: Booth) -> datetime:
    """A moment when about half of the grants have lapsed (they were given moments apart)."""
    ends = [r[0] for r in pg.hub.conn.execute(
        "SELECT expires_at FROM consent_state WHERE state = 'granted' ORDER BY expires_at").fetchall()]
    return datetime.fromisoformat(ends[len(ends) // 2])


@pytest.mark.parametrize(("purposes", "preset", "format"), [
    (["sales_contact"], "generic", "csv"),
    (["sales_contact", "newsletter"], "salesforce", "csv"),
    (["newsletter"], "hubspot", "jsonl"),
    (["newsletter", "sales_contact", "newsletter"], "generic", "csv"),  # a purpose named twice is one
])
def test_the_postgresql_hub_writes_the_hub_vaults_files_also_once_grants_lapse(
        hubs: dict, purposes: list[str], preset: str, format: str) -> None:
    pg, vault, root = hubs["pg"], hubs["vault"], hubs["root"]
    lapsing = _lapsing(pg)
    written = {}
    for now, events in ((LONG_AGO, None), (lapsing, None), (lapsing, [pg.ctx.events()[0].id])):
        files = []
        for name, hub in (("vault", vault), ("pg", pg)):
            target = root / f"{name}.{format}"
            progress: list[tuple[int, int]] = []
            count = exports.export_leads(hub.ctx, purposes=purposes, target=target, format=format,
                                         preset=preset, event_ids=events, now=now,
                                         progress=lambda done, total, seen=progress: seen.append((done, total)))
            total = progress[0][1]
            assert progress[0] == (0, total) and progress[-1] == (total, total) and count <= total
            data = target.read_bytes()
            target.unlink()  # plaintext: not left in the run's folder
            head, _, body = data.partition(b"\n")
            files.append((int(count), head, sorted(body.splitlines())))  # captured at the same time: any order
        assert files[0] == files[1], (now, events)
        written[(now, bool(events))] = files[0][0]
    assert written[(LONG_AGO, False)] > written[(lapsing, False)] > 0  # a lapsed grant is not exported


def test_consent_states_are_read_as_the_hub_vault_reads_them() -> None:
    at = "2026-06-01T00:00:00+00:00"
    text = "\x1e".join([
        "newsletter\x1fgranted\x1f2025-06-01T00:00:00+00:00\x1f2026-05-31T00:00:00+00:00\x1f2\x1faa",  # lapsed
        "sales_contact\x1fgranted\x1f2025-06-01T00:00:01+00:00\x1f\x1f3\x1fbb",  # never lapses
        "news\x1fwithdrawn\x1f2025-07-01T00:00:00+00:00\x1f\x1f3\x1fbb",
        "product_info\x1fgranted\x1f2025-06-02T00:00:00+00:00\x1f2026-06-01T00:00:00.000001+00:00\x1f4\x1fcc",
    ])
    current, states = _read_states(text, at)
    assert states == (("news", "withdrawn"), ("newsletter", "expired"), ("product_info", "granted"),
                      ("sales_contact", "granted"))
    assert list(current) == ["product_info", "sales_contact"]
    assert current["sales_contact"] == ("2025-06-01T00:00:01+00:00", "3", "bb")
    assert _read_states(None, at) == ({}, ())


def _many_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "STREAM_BATCH", 7)


def test_a_read_stopped_early_ends_its_fetching_and_leaves_the_hub_usable(
        hubs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hubs["pg"].hub
    _many_batches(monkeypatch)
    everyone = [lead.lead_id for lead in hub.iter_consenting(purposes=["sales_contact"], event_ids=None,
                                                             now=LONG_AGO)]
    assert len(everyone) > 3 * 7
    threads = threading.active_count()
    reading = hub.iter_consenting(purposes=["sales_contact"], event_ids=None, now=LONG_AGO)
    first = [next(reading).lead_id for _ in range(10)]
    assert threading.active_count() == threads + 1  # the helper fetching the next batch
    reading.close()  # as a cancelled export does
    assert threading.active_count() == threads
    assert first == everyone[:10]
    assert hub.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert hub.count() > 0  # the connection is free for the next call


def test_a_failure_while_fetching_reaches_the_reader(hubs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hubs["pg"].hub
    _many_batches(monkeypatch)
    seen = []
    threads = threading.active_count()
    with pytest.raises(psycopg.errors.DivisionByZero):
        with hub._stream("SELECT g, 1 / (30 - g) FROM generate_series(1, 40) g") as cur:
            for row in hub._prefetched(cur):
                seen.append(row[0])
    assert seen == list(range(1, len(seen) + 1)) and 0 < len(seen) < 30
    assert threading.active_count() == threads
    assert hub.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert hub.count() > 0


def test_the_benchmarks_baseline_can_run_the_exports_query(hubs: dict) -> None:
    """tests/bench/bench_hub.py copies EXPORT_QUERY with psql, folded onto one line: plain SQL
    with no parameter but the event filter, and no comment."""
    hub = hubs["pg"].hub
    query = " ".join(hub.EXPORT_QUERY.format(event_filter="").split())
    assert "%" not in query and "--" not in query
    rows = hub.conn.execute(query).fetchall()
    assert len(rows) == hub.conn.execute("SELECT count(*) FROM leads WHERE erased_at IS NULL").fetchone()[0]
