"""Merging into a PostgreSQL hub gives what merging into a hub vault gives, one bundle after
another or several ops at once, and a merge killed at any moment leaves each bundle whole or
absent."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consentbooth.services.booth import Booth
from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
from tests.hub import world as worlds
from tests.hub.conftest import PASS, HubDatabase


def _pg_hub(db: HubDatabase, *, name: str = "Example Instruments") -> tuple[Booth, str]:
    init_postgres_hub(db.admin_url, key=HubKey(passphrase=PASS), organisation_name=name)
    url = db.ops_url()
    return open_ops_hub(url, key=HubKey(passphrase=PASS)), url


@pytest.fixture(scope="module")
def world_db(pg_server, tmp_path_factory: pytest.TempPathFactory):
    """A PostgreSQL hub that enrolled 6 laptops (2,400 leads), their bundles, and the same bundles
    merged one after another into a hub vault that approved the laptops."""
    from tests.hub.conftest import OPS_ROLE_PASSWORD

    os.environ["PGPASSWORD"] = OPS_ROLE_PASSWORD
    db = HubDatabase(pg_server)
    root = tmp_path_factory.mktemp("hubworld")
    hub, url = _pg_hub(db)
    try:
        world = worlds.build(root, hub, laptops=6, leads=400)
    finally:
        hub.lock()
    vault_hub = Booth.create(root / "hub.cbvault", PASS, role="hub")
    try:
        vault_hub.approve_devices([laptop.fingerprint for laptop in world.laptops])
        results = vault_hub.merge_files(paths=world.bundles(), identity_text=world.ops_secret)
        assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
        devices = {laptop.device_id for laptop in world.laptops}
        serial = worlds.snapshot(vault_hub, devices=devices)
    finally:
        vault_hub.lock()
    return {"db": db, "url": url, "world": world, "serial": serial, "devices": devices, "root": root}


def test_a_serial_merge_into_postgresql_equals_the_hub_vaults(world_db) -> None:
    world, devices = world_db["world"], world_db["devices"]
    hub = open_ops_hub(world_db["url"], key=HubKey(passphrase=PASS))
    try:
        results = hub.merge_files(paths=world.bundles(), identity_text=world.ops_secret)
        assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
        assert sum(r.new for r in results) == 6 * 400
        got = worlds.snapshot(hub, devices=devices)
        serial = world_db["serial"]
        for key in ("people", "states", "ledger", "certificates"):
            assert got[key] == serial[key], key
        erased = [p for p in got["people"].values() if p[2]]
        assert erased and all(p[1] == {} for p in erased)  # erased people hold no details
        assert got["terms"] > 0
        assert hub.verify_ledger().ok
        # merged again: nothing new, nothing counted twice
        again = hub.merge_files(paths=world.bundles(), identity_text=world.ops_secret)
        # (laptop 0's first bundle is now behind its second, as a hub vault says too)
        assert [(r.ok or r.code, r.new, r.updated, r.ledger_events, r.withdrawn) for r in again] == [
            ("chain_behind", 0, 0, 0, 0), *[(True, 0, 0, 0, 0)] * (len(again) - 1)]
        assert worlds.snapshot(hub, devices=devices) == got
    finally:
        hub.lock()


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "consentbooth", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _env() -> dict[str, str]:
    return {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS}


def test_two_ops_merging_the_same_bundles_at_once_count_nothing_twice(world_db, pg_server, tmp_path: Path) -> None:
    """A second hub (approving the laptops by fingerprint): two processes merge every bundle at
    once, a third withdraws people meanwhile; the result equals one merge after the other."""
    world, devices = world_db["world"], world_db["devices"]
    db = HubDatabase(pg_server)
    hub, url = _pg_hub(db)
    try:
        hub.approve_devices([laptop.fingerprint for laptop in world.laptops])
        first = world.laptops[1].bundles  # laptop 1's people exist before the race: withdraw some
        assert all(r.ok for r in hub.merge_files(paths=first, identity_text=world.ops_secret))
        targets = [lead for lead in world.laptops[1].leads[:60] if "sales_contact" in hub.record(lead).granted()]
    finally:
        hub.lock()
    identity = tmp_path / "ops.key"
    identity.write_text(world.ops_secret)
    bundles = [str(b) for b in world.bundles()]
    order_a, order_b = bundles, list(reversed(bundles))
    racers = [
        _cli("merge", "--hub", url, "--identity", str(identity), *order, env=_env()) for order in (order_a, order_b)
    ]
    withdrawals = []
    hub = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        for lead in targets:
            withdrawals.append(hub.withdraw(lead_id=lead, purposes=["sales_contact"], channel="email"))
    finally:
        hub.lock()
    outputs = []
    for racer in racers:
        stdout, stderr = racer.communicate(timeout=600)
        assert racer.returncode in (0, 1), stderr  # 1: a bundle was refused (checked below)
        outputs.append({r["bundle"]: r for r in json.loads(stdout)})
    for bundle in bundles:  # each bundle's people and events arrived exactly once
        a, b = outputs[0][bundle], outputs[1][bundle]
        # laptop 0's first bundle is refused by whoever merges it after its second
        assert all(r["ok"] or (r["code"] == "chain_behind" and bundle.endswith("-1.age")) for r in (a, b))
        assert (a["new"], b["new"]).count(0) >= 1
        assert a["ledger_events"] * b["ledger_events"] == 0
    hub = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        got = worlds.snapshot(hub, devices=devices)
        serial = world_db["serial"]
        assert got["people"] == serial["people"]
        assert got["ledger"] == serial["ledger"]
        ids = [e[0] for e in got["ledger"]]
        assert len(ids) == len(set(ids))  # 0 duplicates
        for lead in targets:  # 0 lost withdrawals: the hub's withdrawal wins over every older grant
            assert "sales_contact" not in hub.record(lead).granted()
        held = {e.id for lead in targets for e in hub.hub.ledger_entries(lead_id=lead)}
        assert set(withdrawals) <= held
        untouched = {s for s in serial["states"] if s[0] not in set(targets)}
        assert untouched <= set(got["states"])
        assert hub.verify_ledger().ok
    finally:
        hub.lock()


def _per_device(db: HubDatabase) -> dict[str, tuple[int, int]]:
    """(people, ledger events) per device, as the server holds them."""
    out = db.psql(
        "SET search_path TO consentbooth; SELECT d || ' ' || "
        "(SELECT count(*) FROM leads WHERE device_id = d) || ' ' || (SELECT count(*) FROM ledger WHERE device_id = d) "
        "FROM (SELECT device_id AS d FROM signers) s"
    )
    found = {}
    for line in out.splitlines():
        device, people, events = line.split()
        found[device] = (int(people), int(events))
    return found


def test_a_merge_killed_at_any_moment_leaves_each_bundle_whole_or_absent(world_db, pg_server, tmp_path: Path) -> None:
    world = world_db["world"]
    db = HubDatabase(pg_server)
    hub, url = _pg_hub(db)
    try:
        hub.approve_devices([laptop.fingerprint for laptop in world.laptops])
    finally:
        hub.lock()
    identity = tmp_path / "ops.key"
    identity.write_text(world.ops_secret)
    firsts = [str(laptop.bundles[0]) for laptop in world.laptops]
    rnd = random.Random(11)
    seen = []
    for _round in range(3):
        proc = _cli("merge", "--hub", url, "--identity", str(identity), *firsts, env=_env())
        time.sleep(rnd.uniform(0.5, 5.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        seen.append(_per_device(db))
    done = subprocess.run(
        [sys.executable, "-m", "consentbooth", "merge", "--hub", url, "--identity", str(identity), *firsts],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    whole = _per_device(db)
    for laptop in world.laptops:
        assert whole[laptop.device_id][0] == 400
        for observed in seen:  # after each kill: the laptop's bundle entirely, or nothing of it
            assert observed.get(laptop.device_id, (0, 0)) in ((0, 0), whole[laptop.device_id]), laptop.device_id
    assert any(observed for observed in seen)  # the kills did land mid-way at least once
    hub = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        assert hub.verify_ledger().ok
    finally:
        hub.lock()


def test_a_chain_checked_alongside_the_merge_still_refuses_the_whole_bundle(
    pg_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large bundles have their ledger verified in a worker while the hub applies them; an event
    whose signature does not verify still refuses the bundle, and nothing of it is committed."""
    from consentbooth.services import transfer

    monkeypatch.setattr(transfer, "VERIFY_ALONGSIDE", 1)
    from tests.hub.conftest import OPS_ROLE_PASSWORD

    monkeypatch.setenv("PGPASSWORD", OPS_ROLE_PASSWORD)
    db = HubDatabase(pg_server)
    hub, _url = _pg_hub(db)
    try:
        world = worlds.build(tmp_path, hub, laptops=1, leads=30, certificates=0, second_bundle=False)
        laptop = world.laptops[0]
        good = world.bundles()[0]
        forged_vault = Booth.unlock(laptop.path, worlds.PASS)
        try:  # behind the app's back: one event's signature replaced (the triggers dropped first)
            conn = forged_vault.vault.conn
            conn.execute("DROP TRIGGER ledger_no_update")
            conn.execute("UPDATE ledger SET signature = randomblob(70) WHERE device_seq = 7")
            forged_vault.create_bundle(recipient=world.ops_public, target=tmp_path / "forged.age")
        finally:
            forged_vault.lock()
        [refused] = hub.merge_files(paths=[tmp_path / "forged.age"], identity_text=world.ops_secret)
        assert not refused.ok and "signature" in refused.reason
        assert hub.count() == 0 and hub.hub.conn.execute("SELECT count(*) FROM ledger").fetchone()[0] == 0
        [merged] = hub.merge_files(paths=[good], identity_text=world.ops_secret)
        assert merged.ok and merged.new == 30
    finally:
        hub.lock()
