"""Foundation benchmarks: capture, unlock, search, vault size (issue #2)."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import sqlcipher3

from consentbooth.services.booth import Booth
from tests.bench import synth
from tests.bench.common import BENCH_PASSPHRASE, bare_open, interleaved, median, p95, row, timed

PASS = BENCH_PASSPHRASE
N_SEARCH = int(os.environ.get("CB_BENCH_LEADS", "100000"))




def bench_capture(folder: Path) -> dict:
    booth = Booth.create(folder / "capture.cbvault", PASS, demo=True)
    synth.fill(booth, 1000)
    bare_path = folder / "bare.db"
    bare = sqlcipher3.connect(str(bare_path), isolation_level=None)
    bare.set_key(PASS)
    for pragma in ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA temp_store = MEMORY"):
        bare.execute(pragma)
    bare.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, item BLOB)")
    # The same bytes one capture stores, taken from a real capture: the lead row's JSON, the
    # signed ledger entry (body, hash, signature), the two search-index texts and the consent
    # state rows; inserted as plain rows in ONE durable transaction.
    lead_id = booth.capture(next(synth.requests(1, seed=99))).lead_id
    v = booth.vault
    items = [
        v.read("SELECT fields FROM leads WHERE id = ?", (lead_id,))[0][0].encode(),
        *(bytes(x) if not isinstance(x, str) else x.encode()
          for x in v.read("SELECT body, hash, signature FROM ledger WHERE lead_id = ?", (lead_id,))[0]),
        v.read("SELECT body FROM lead_search WHERE lead_id = ?", (lead_id,))[0][0].encode(),
        v.read("SELECT grams FROM lead_search_short WHERE lead_id = ?", (lead_id,))[0][0].encode(),
        *(repr(r).encode() for r in v.read("SELECT * FROM consent_state WHERE lead_id = ?", (lead_id,))),
    ]
    requests = synth.requests(400, seed=7)

    def ours() -> None:
        booth.capture(next(requests))

    def baseline() -> None:
        bare.execute("BEGIN IMMEDIATE")
        bare.executemany("INSERT INTO t (item) VALUES (?)", [(i,) for i in items])
        bare.execute("COMMIT")

    a, b = interleaved(ours, baseline, 200)
    # What the commit left for later: projecting the 200 journalled captures (sealing each into
    # the ledger, filing the tables, the search indexes and the counts; it runs before the next
    # read, e.g. the kiosk's certificate in the background). Reported, and capture by capture.
    backlog = timed(booth.vault.settle)

    def ours_projected() -> None:
        booth.capture(next(requests))
        booth.vault.settle()

    c, d = interleaved(ours_projected, baseline, 100)
    booth.lock()
    bare.close()
    return (
        row(
            median(a),
            median(b),
            "<= 2.0",
            "capture (validation, consent event with its keyed digest, the durable "
            "commit of its journal row) vs a bare durable insert of the same bytes; projecting the 200 journalled "
            f"captures afterwards (sealing: RFC 8785, chain hash, ECDSA signature; filing) "
            f"took {backlog * 1000:.0f} ms "
            f"({backlog / 200 * 1000:.2f} ms each)",
        ),
        row(
            median(c),
            median(d),
            "report",
            "capture followed at once by its projection (ledger seal, leads, consent "
            "states, both search indexes, counts: a second durable commit) vs the same baseline",
        ),
    )


def bench_unlock(folder: Path) -> dict:
    path = folder / "unlock.cbvault"
    booth = Booth.create(path, PASS, demo=True)
    synth.fill(booth, 1000)
    booth.lock()
    a, b = interleaved(lambda: Booth.unlock(path, PASS).vault.close(), lambda: bare_open(path), 15)
    return row(
        median(a),
        median(b),
        "<= 1.2",
        "1,000-lead vault; every page's HMAC checked inside the unlock up to 4 MiB, "
        "in the background right after it above",
    )


def bench_search(folder: Path) -> tuple[dict, dict, dict]:
    path = folder / "search.cbvault"
    booth = Booth.create(path, PASS, demo=True)
    fill_s = timed(lambda: synth.fill(booth, N_SEARCH))
    booth.vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_per_1000 = path.stat().st_size / (N_SEARCH / 1000)
    rnd = random.Random(3)
    queries = []
    for _ in range(100):
        kind = rnd.random()
        if kind < 0.35:
            queries.append(rnd.choice(synth.SURNAMES) + rnd.choice(synth.GIVEN))
        elif kind < 0.5:
            queries.append(rnd.choice(synth.SURNAMES))
        elif kind < 0.75:
            queries.append("".join(rnd.choice("0123456789") for _ in range(4)))
        elif kind < 0.9:
            queries.append(rnd.choice(synth.LATIN_LAST)[:4].lower())
        else:
            queries.append(rnd.choice(synth.COMPANIES)[:4])
    samples = [timed(lambda q=q: (booth.search(q, limit=200), booth.count(q))) for q in queries]
    unlock_big = [timed(lambda: Booth.unlock(path, PASS).vault.close()) for _ in range(3)]
    bare_big = [timed(lambda: bare_open(path)) for _ in range(3)]
    booth.lock()
    return (
        row(
            p95(samples),
            None,
            "<= 0.030",
            f"p95 of 100 queries (page of 200 + count) over {N_SEARCH:,} leads; fill took {fill_s:.0f} s",
        ),
        {
            "median_s": size_per_1000 / 1e6,
            "baseline_s": None,
            "ratio": round(size_per_1000 / 1e6, 2),
            "target": "report",
            "note": "MB of vault per 1,000 leads",
        },
        row(
            median(unlock_big),
            median(bare_big),
            "<= 1.5",
            f"unlock of the {N_SEARCH:,}-lead vault vs bare open "
            "(the full page check runs in the background after it: vault/integrity.py)",
        ),
    )


def run() -> dict[str, dict]:
    folder = Path(tempfile.mkdtemp(prefix="cb-bench-vault-"))
    capture, projected = bench_capture(folder)
    results = {"capture_vs_bare_durable_insert": capture, "capture_and_projection_vs_bare_insert": projected}
    results["unlock_vs_bare_sqlcipher_open"] = bench_unlock(folder)
    search, size, unlock_big = bench_search(folder)
    results["search_p95_100k"] = search
    results["vault_mb_per_1000_leads"] = size
    results["unlock_100k_vs_bare_open"] = unlock_big
    return results
