"""The team hub on PostgreSQL at scale (issue 15): 50 enrolled laptops, 1,000,000 leads.

One throwaway cluster (tests/support/postgres.py), data generated once per run through the real
capture service on 50 enrolled laptops (two worker processes), then:

- the 50 bundles merged into PostgreSQL one after another, and into a hub vault (the reference);
- the same 50 merged again by two processes at once while a third withdraws people at the hub:
  0 duplicates, 0 lost withdrawals, the final state identical to the hub vault's serial merge;
- merge of a 100,000-lead bundle (vs the same bundle into a hub vault);
- CSV export of 1,000,000 leads vs ``psql \\copy`` of the same encrypted rows plus decrypting them;
- search by email, phone and name, p95 over 150 queries;
- 20 merges killed with SIGKILL at random moments: each bundle entirely or not at all;
- a canary scan of the data directory after CHECKPOINT and of a pg_dump file.

Sizes: CB_BENCH_HUB_LAPTOPS (50), CB_BENCH_HUB_LEADS (1,000,000), CB_BENCH_HUB_BIG (100,000),
CB_BENCH_HUB_KILLS (20).

Measuring the export alone, again and again, over one hub: ``CB_BENCH_HUB_KEEP=<file>`` keeps the
cluster of a run running and describes it in that file (afterwards: ``pg_ctl -D <data> stop`` as
the user it runs as, then remove its ``root`` folder); ``CB_BENCH_HUB_REUSE=<that file>`` then runs
only the CSV export and its baseline (section 4) over that run's hub.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.bench.common import p95, row

PASS = "Correct-Horse-42!"
LAPTOPS = int(os.environ.get("CB_BENCH_HUB_LAPTOPS", "50"))
LEADS = int(os.environ.get("CB_BENCH_HUB_LEADS", "1000000"))
BIG = int(os.environ.get("CB_BENCH_HUB_BIG", "100000"))
KILLS = int(os.environ.get("CB_BENCH_HUB_KILLS", "20"))
KEEP = os.environ.get("CB_BENCH_HUB_KEEP", "")
REUSE = os.environ.get("CB_BENCH_HUB_REUSE", "")
CANARY = {"name": "Canaryqx Li", "company": "CANARY-7f3a Instruments", "email": "canary.7f3a@example.cn",
          "phone": "13912347788"}
MARKERS = [b"Canaryqx", b"CANARY-7f3a", b"canary.7f3a", b"13912347788"]


def _say(text: str) -> None:
    sys.stdout.write(f"  {time.strftime('%H:%M:%S')} {text}\n")
    sys.stdout.flush()


class _Reported(dict):
    """The results, each printed as soon as it is measured: a run stopped before its end (a
    million people take most of an hour) still leaves every figure it reached in its log."""

    def __setitem__(self, key: str, value: dict) -> None:
        super().__setitem__(key, value)
        _say(f"{key}: {json.dumps(value, ensure_ascii=False)}")


# -- the laptops (worker processes) ---------------------------------------------------------------

def _make_laptop(job: tuple) -> dict:
    """One enrolled laptop: ``n`` captures through the real service (every one grants
    sales_contact), 1 in 100 withdraws its newsletter, 1 in 500 is erased; then its bundle."""
    index, folder, enrolment_data, code, n, public, seed, canary = job
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from consentbooth.services.booth import Booth, CaptureRequest
    from consentbooth.services.trust import read_enrolment_file
    from tests.bench import synth

    rnd = random.Random(seed)
    path = Path(folder) / f"laptop{index}.cbvault"
    booth = Booth.create(path, PASS, demo=True, enrolment=read_enrolment_file(enrolment_data, code))
    try:
        ids: list[str] = []
        batch: list = []
        for i in range(n):
            request = synth.fake_request(rnd, seed * 10_000_000 + i)
            fields = dict(request.fields)
            if canary and i == 0:
                fields.update(CANARY)
            purposes = ["sales_contact", "newsletter"] if i % 2 else ["sales_contact"]
            batch.append(CaptureRequest(fields=fields, purposes=purposes, language=request.language,
                                        operator=request.operator))
            if len(batch) == 2000 or i == n - 1:
                ids.extend(r.lead_id for r in booth.capture_batch(batch))
                batch = []
        withdrawn = 0
        for i, lead in enumerate(ids):
            if i % 100 == 1:
                booth.withdraw(lead_id=lead, purposes=["newsletter"], channel="email")
                withdrawn += 1
            elif i % 500 == 7:
                booth.erase(lead_id=lead)
        target = Path(folder) / f"laptop{index}.age"
        booth.create_bundle(recipient=public, target=target)
        fingerprint = booth.root_info().device_fingerprint
        return {"index": index, "bundle": str(target), "device_id": booth.device_id, "fingerprint": fingerprint,
                "leads": ids[:200], "n": n, "withdrawn": withdrawn}
    finally:
        booth.lock()


# -- fingerprints of what a hub holds (streamed: a million people never sit in memory) -----------

def _digest(rows) -> tuple[int, str]:
    h = hashlib.sha256()
    count = 0
    for r in rows:
        h.update(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n")
        count += 1
    return count, h.hexdigest()


def _vault_state(hub, devices: set[str], skip: set[str] = frozenset()) -> dict:
    v = hub.vault
    people = ((r[0], r[1], json.loads(r[2]) if r[2] else {}, bool(r[3]))
              for r in v.stream("SELECT id, device_id, fields, erased_at IS NOT NULL FROM leads ORDER BY id")
              if r[1] in devices)
    states = (tuple(r) for r in v.stream("SELECT lead_id, purpose, state, since, expires_at, ledger_id FROM "
                                         "consent_state ORDER BY lead_id, purpose") if r[0] not in skip)
    ledger = (tuple(r) for r in v.stream("SELECT id, hash FROM ledger ORDER BY id") if True)
    return {"people": _digest(people), "states": _digest(states),
            "ledger": _digest(r for r in ledger if r[0] not in skip)}


def _pg_state(hub, devices: set[str], skip: set[str] = frozenset(), skip_events: set[str] = frozenset()) -> dict:
    h = hub.hub

    def stream(query: str):
        with h._stream(query) as cur:
            yield from cur
    people = (
        (r[0], r[1], h._fields(r[0], r[2]), bool(r[3]))
        for r in stream('SELECT id, device_id, fields_enc, erased_at IS NOT NULL FROM leads ORDER BY id COLLATE "C"')
        if r[1] in devices
    )
    states = (
        tuple(r)
        for r in stream(
            "SELECT lead_id, purpose, state, since, expires_at, ledger_id FROM consent_state "
            'ORDER BY lead_id COLLATE "C", purpose COLLATE "C"'
        )
        if r[0] not in skip
    )
    ledger = (
        tuple(r) for r in stream('SELECT id, hash FROM ledger ORDER BY id COLLATE "C"') if r[0] not in skip_events
    )
    return {
        "people": _digest(people),
        "states": _digest(states),
        "ledger": _digest(r for r in ledger if r[0] not in skip),
    }


# -- the benchmark ----------------------------------------------------------------------------------


def run() -> dict[str, dict]:
    from consentbooth.services.booth import Booth
    from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
    from tests.support.postgres import OPS_ROLE_PASSWORD, remove_server, start_server

    if REUSE:
        return _export_again(Path(REUSE))
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-hub-"))
    server = start_server()
    os.environ["PGPASSWORD"] = OPS_ROLE_PASSWORD
    env = {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS}
    results: dict[str, dict] = _Reported()
    try:
        db = server.new_database()
        init_postgres_hub(server.tcp_url(db, "hubadmin"), key=HubKey(passphrase=PASS), organisation_name="Bench Co")
        server.add_login("ops1")
        if KEEP:
            kept = {k: str(v) if isinstance(v, Path) else v for k, v in vars(server).items()}
            Path(KEEP).write_text(json.dumps({**kept, "db": db}))
        url = server.tcp_url(db, "ops1")
        hub = open_ops_hub(url, key=HubKey(passphrase=PASS))
        from consentbooth.exports.bundle import generate_ops_identity

        secret, public = generate_ops_identity()
        identity = folder / "ops.key"
        identity.write_text(secret)
        per = LEADS // LAPTOPS
        jobs = []
        for i in range(LAPTOPS + 1):  # the last one: the big bundle
            enrolment = hub.enrol_device()
            jobs.append(
                (i, str(folder), enrolment.data, enrolment.code, per if i < LAPTOPS else BIG, public, 100 + i, i == 0)
            )
        hub.lock()
        _say(f"capturing {LAPTOPS} x {per:,} leads (+ {BIG:,}) on enrolled laptops, 2 processes")
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            laptops = sorted(pool.map(_make_laptop, jobs), key=lambda x: x["index"])
        generate_s = time.perf_counter() - start
        big = laptops.pop()
        bundles = [Path(x["bundle"]) for x in laptops]
        devices = {x["device_id"] for x in laptops}
        _say(f"generated in {generate_s:.0f} s")

        # 1. the 50 bundles into PostgreSQL, one after another; the same into a hub vault
        hub = open_ops_hub(url, key=HubKey(passphrase=PASS))
        start = time.perf_counter()
        merged = hub.merge_files(paths=bundles, identity_text=secret)
        pg_serial_s = time.perf_counter() - start
        assert all(r.ok for r in merged), [r.reason for r in merged if not r.ok]
        _say(f"PostgreSQL: {len(bundles)} bundles merged in {pg_serial_s:.0f} s")
        vault = Booth.create(folder / "hub.cbvault", PASS, role="hub")
        vault.approve_devices([x["fingerprint"] for x in laptops])
        start = time.perf_counter()
        merged_v = vault.merge_files(paths=bundles, identity_text=secret)
        vault_serial_s = time.perf_counter() - start
        assert all(r.ok for r in merged_v)
        _say(f"hub vault: merged in {vault_serial_s:.0f} s")
        start = time.perf_counter()
        reference = _vault_state(vault, devices)
        first = _pg_state(hub, devices)
        assert first == reference, (first, reference)
        _say(f"states compared (hub vault, PostgreSQL) in {time.perf_counter() - start:.0f} s")
        results["hub_pg_serial_merge_1m_vs_vault"] = row(
            pg_serial_s,
            vault_serial_s,
            "report",
            f"{len(bundles)} bundles, {sum(x['n'] for x in laptops):,} leads from {len(bundles)} enrolled laptops; "
            f"state identical to the hub vault's ({first['people'][0]:,} people, {first['ledger'][0]:,} events)",
        )

        # 2. the same 50 again by two processes at once, a third withdrawing at the hub
        targets = [lead for x in laptops[:10] for lead in x["leads"][100:150]]
        targets = [lead for lead in targets if "sales_contact" in hub.record(lead).granted()]
        orders = [list(map(str, bundles)), list(map(str, reversed(bundles)))]
        start = time.perf_counter()
        racers = [
            subprocess.Popen(
                [sys.executable, "-m", "consentbooth", "merge", "--hub", url, "--identity", str(identity), *order],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for order in orders
        ]
        withdrawals = {hub.withdraw(lead_id=lead, purposes=["sales_contact"], channel="email") for lead in targets}
        outs = [json.loads(r.communicate()[0]) for r in racers]
        race_s = time.perf_counter() - start
        assert all(r["ok"] and r["new"] == 0 and r["ledger_events"] == 0 for out in outs for r in out)
        conn = hub.hub.conn
        dupes = conn.execute("SELECT count(*) - count(DISTINCT id) FROM ledger").fetchone()[0]
        people = conn.execute("SELECT count(*) - count(DISTINCT id) FROM leads").fetchone()[0]
        lost = [lead for lead in targets if "sales_contact" in hub.record(lead).granted()]
        after = _pg_state(hub, devices, skip=set(targets), skip_events=withdrawals)
        expect = _vault_state(vault, devices, skip=set(targets))
        identical = after == expect
        results["hub_pg_concurrent_remerge"] = {
            "median_s": race_s,
            "baseline_s": pg_serial_s,
            "ratio": dupes + people + len(lost) + (0 if identical else 1),
            "target": "<= 0",
            "note": f"two processes re-merging the {len(bundles)} bundles while {len(targets)} withdrawals were made: "
            f"{dupes} duplicate events, {people} duplicate people, {len(lost)} lost withdrawals, "
            f"state identical to the serial hub vault: {identical} (ratio = problems found)",
        }
        vault.lock()

        _say(f"re-merge race and its check done in {time.perf_counter() - start:.0f} s")

        # 3. search p95 at 1M: email, phone, name
        rnd = random.Random(5)
        sample = conn.execute("SELECT id FROM leads WHERE erased_at IS NULL ORDER BY random() LIMIT 60").fetchall()
        people_sample = [hub.record(r[0]).lead.fields for r in sample]
        queries = [f["email"] for f in people_sample[:50]] + [f["phone"][-11:] for f in people_sample[:50]]
        queries += [f["name"] for f in people_sample[:40]]
        queries += [f["name"].split()[-1] if " " in f["name"] else f["name"][:1] for f in people_sample[40:60]]
        rnd.shuffle(queries)
        samples = []
        for q in queries:
            start = time.perf_counter()
            found = hub.search(q, limit=200)
            samples.append(time.perf_counter() - start)
            assert found, q
        baseline = []
        for _q in queries[:50]:
            start = time.perf_counter()
            conn.execute(
                "SELECT id, fields_enc FROM leads WHERE terms @> %s::bigint[] ORDER BY captured_at DESC LIMIT 200",
                ([rnd.getrandbits(63)],),
            ).fetchall()
            baseline.append(time.perf_counter() - start)
        results["hub_pg_search_p95_1m"] = {
            "median_s": p95(samples),
            "baseline_s": p95(baseline),
            "ratio": round(p95(samples), 4),
            "target": "<= 0.050",
            "note": f"p95 of {len(queries)} searches (email, phone, full name, surname) over {LEADS:,} leads; "
            "baseline: one indexed term lookup in SQL",
        }

        # 4. CSV export of 1M vs psql \copy of the same encrypted rows + decryption in Python
        results["hub_pg_export_1m_csv_vs_copy_decrypt"] = _export_vs_copy(hub, server, db, folder)
        hub.lock()

        # 5. a 100,000-lead bundle into a fresh PostgreSQL hub vs into a fresh hub vault
        db2 = server.new_database()
        init_postgres_hub(server.tcp_url(db2, "hubadmin"), key=HubKey(passphrase=PASS), organisation_name="Bench Co")
        url2 = server.tcp_url(db2, "ops1")
        hub2 = open_ops_hub(url2, key=HubKey(passphrase=PASS))
        hub2.approve_devices([big["fingerprint"]])
        start = time.perf_counter()
        [done] = hub2.merge_files(paths=[Path(big["bundle"])], identity_text=secret)
        big_s = time.perf_counter() - start
        assert done.ok and done.new == BIG
        hub2.lock()
        vault2 = Booth.create(folder / "hub2.cbvault", PASS, role="hub")
        vault2.approve_devices([big["fingerprint"]])
        start = time.perf_counter()
        [done_v] = vault2.merge_files(paths=[Path(big["bundle"])], identity_text=secret)
        big_v = time.perf_counter() - start
        vault2.lock()
        assert done_v.ok
        results["hub_pg_merge_100k_bundle_s"] = {
            "median_s": big_s,
            "baseline_s": big_v,
            "ratio": round(big_s, 2),
            "target": "<= 20",
            "note": f"{BIG:,} leads (decrypt, verify, admit, COPY); the same bundle into a hub vault: {big_v:.1f} s",
        }

        # 6. kill -9 of merges at random moments: each bundle entirely or not at all
        db3 = server.new_database()
        init_postgres_hub(server.tcp_url(db3, "hubadmin"), key=HubKey(passphrase=PASS), organisation_name="Bench Co")
        url3 = server.tcp_url(db3, "ops1")
        hub3 = open_ops_hub(url3, key=HubKey(passphrase=PASS))
        hub3.approve_devices([x["fingerprint"] for x in laptops[:6]])
        hub3.lock()
        few = [str(b) for b in bundles[:6]]
        sizes = {x["device_id"]: None for x in laptops[:6]}
        observed = []
        for _ in range(KILLS):
            proc = subprocess.Popen(
                [sys.executable, "-m", "consentbooth", "merge", "--hub", url3, "--identity", str(identity), *few],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rnd.uniform(1.0, 12.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            observed.append(_per_device(server, db3))
        subprocess.run(
            [sys.executable, "-m", "consentbooth", "merge", "--hub", url3, "--identity", str(identity), *few],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        whole = _per_device(server, db3)
        broken = sum(1 for seen in observed for d in sizes if seen.get(d, (0, 0)) not in ((0, 0), whole[d]))
        partial_runs = sum(1 for seen in observed if 0 < sum(1 for d in sizes if seen.get(d, (0, 0))[0]) < len(sizes))
        results["hub_pg_kill9_merge_rounds"] = {
            "median_s": float(KILLS),
            "baseline_s": None,
            "ratio": broken,
            "target": "<= 0",
            "note": f"{KILLS} merges of 6 bundles killed with SIGKILL at random moments; {broken} bundles found "
            f"partly merged; {partial_runs} kills landed between bundles (ratio = partial bundles)",
        }

        # 7. canary scan: data directory after CHECKPOINT, a pg_dump file
        server.checkpoint()
        hits = _scan_folder(server.data)
        dump = folder / "hub.dump.sql"
        subprocess.run(server.client("pg_dump", "-f", str(dump), db), check=True)
        hits += _scan_file(dump)
        results["hub_pg_canary_hits"] = {
            "median_s": 0.0,
            "baseline_s": None,
            "ratio": len(hits),
            "target": "<= 0",
            "note": f"plaintext personal data in the data directory ({_size(server.data) / 1e9:.1f} GB) after "
            f"CHECKPOINT and in a pg_dump file ({dump.stat().st_size / 1e9:.1f} GB): {hits[:3]}",
        }
    finally:
        if not KEEP:
            remove_server(server)
        shutil.rmtree(folder, ignore_errors=True)  # a million people's vaults, bundles and dump: ~25 GB
    return dict(results)


def _export_again(kept: Path) -> dict[str, dict]:
    """Section 4 alone, over the hub of a run made with CB_BENCH_HUB_KEEP."""
    from consentbooth.services.hubs import HubKey, open_ops_hub
    from tests.support.postgres import OPS_ROLE_PASSWORD, PostgresServer

    described = json.loads(kept.read_text())
    db = described.pop("db")
    server = PostgresServer(**{k: Path(v) if k in ("root", "data", "socket_dir", "ca_cert", "bindir") else v
                               for k, v in described.items()})
    os.environ["PGPASSWORD"] = OPS_ROLE_PASSWORD
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-hub-"))
    hub = open_ops_hub(server.tcp_url(db, "ops1"), key=HubKey(passphrase=PASS))
    results: dict[str, dict] = _Reported()
    try:
        results["hub_pg_export_1m_csv_vs_copy_decrypt"] = _export_vs_copy(hub, server, db, folder)
    finally:
        hub.lock()
        shutil.rmtree(folder, ignore_errors=True)
    return dict(results)


def _export_vs_copy(hub, server, db: str, folder: Path) -> dict:
    """The CSV export of everyone holding sales_contact, vs psql \\copy of the rows the export
    reads (its own query) plus their details decrypted in Python."""
    start = time.perf_counter()
    count = hub.export_leads(purposes=["sales_contact"], target=folder / "export.csv")
    export_s = time.perf_counter() - start
    copy_file = folder / "copy.txt"
    query = " ".join(hub.hub.EXPORT_QUERY.format(event_filter="").split())
    start = time.perf_counter()
    subprocess.run(
        server.client("psql", "-X", "-q", "-d", db, "-c", f"\\copy ({query}) TO '{copy_file}'"),
        check=True,
        env={**os.environ, "PGOPTIONS": "-c search_path=consentbooth"},
    )
    with copy_file.open() as f:
        for line in f:
            cells = line.rstrip("\n").split("\t")
            hub.hub._fields(cells[0], bytes.fromhex(cells[3][3:]))
    baseline_s = time.perf_counter() - start
    return row(
        export_s,
        baseline_s,
        "<= 2",
        f"{count:,} rows (consent-scoped, each with its evidence, through the generic "
        "preset and CSV writer) vs psql \\copy of the rows the export reads + AES-GCM and JSON in Python",
    )


def _per_device(server, db: str) -> dict[str, tuple[int, int]]:
    out = server.psql(
        "SET search_path TO consentbooth; "
        "SELECT d || ' ' || (SELECT count(*) FROM leads WHERE device_id = d) || ' ' || "
        "(SELECT count(*) FROM ledger WHERE device_id = d) FROM (SELECT device_id AS d FROM signers) s",
        db,
    )
    found = {}
    for line in out.splitlines():
        device, people, events = line.split()
        found[device] = (int(people), int(events))
    return found


def _scan_file(path: Path) -> list[str]:
    hits = []
    tail = b""
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            data = tail + chunk
            hits += [f"{path.name}: {m!r}" for m in MARKERS if m in data]
            tail = data[-64:]
    return hits


def _scan_folder(folder: Path) -> list[str]:
    return [hit for path in folder.rglob("*") if path.is_file() for hit in _scan_file(path)]


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
