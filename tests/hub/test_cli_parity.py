"""Every ops command gives the same output for a hub vault and a PostgreSQL hub that merged the
same bundle (only the hub's own device and the times of its own actions differ)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consentbooth.services.booth import Booth
from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
from tests.hub import world as worlds
from tests.hub.conftest import PASS, HubDatabase


def cb(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS}
    return subprocess.run([sys.executable, "-m", "consentbooth", *args], env=env, capture_output=True,
                          text=True, timeout=180, input=stdin)


@pytest.fixture(scope="module")
def two_hubs(pg_server, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from tests.support.postgres import OPS_ROLE_PASSWORD

    os.environ["PGPASSWORD"] = OPS_ROLE_PASSWORD
    root = tmp_path_factory.mktemp("parity")
    db = HubDatabase(pg_server)
    init_postgres_hub(db.admin_url, key=HubKey(passphrase=PASS), organisation_name="Example")
    url = db.ops_url()
    pg = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        world = worlds.build(root, pg, laptops=1, leads=40, second_bundle=False)
    finally:
        pg.lock()
    identity = root / "ops.key"
    identity.write_text(world.ops_secret)
    vault = root / "hub.cbvault"
    fingerprint = world.laptops[0].fingerprint
    for hub in (str(vault), url):
        done = cb("merge", "--hub", hub, "--identity", str(identity), "--approve-device", fingerprint,
                  *map(str, world.bundles()))
        assert done.returncode == 0, done.stderr
    return {"vault": str(vault), "url": url, "world": world, "root": root}


def both(two_hubs: dict, *args: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    results = []
    for hub in (two_hubs["vault"], two_hubs["url"]):
        results.append(cb(*[a.replace("{hub}", hub).replace("{kind}", "pg" if hub.startswith("postgres") else "vault")
                            for a in args]))
    return results[0], results[1]


def test_people_search_and_records_read_alike(two_hubs: dict) -> None:
    for query in ("", "l0.p3@example.cn", "13000000005", "Schmidt", "王"):
        v, p = both(two_hubs, "leads", "--hub", "{hub}", "--json", "--search", query)
        assert v.returncode == p.returncode == 0, (v.stderr, p.stderr)
        assert json.loads(v.stdout) == json.loads(p.stdout), query
        assert query == "" or json.loads(v.stdout)
    lead = two_hubs["world"].laptops[0].leads[4]
    v, p = both(two_hubs, "show", "--hub", "{hub}", "--lead", lead)
    assert json.loads(v.stdout) == json.loads(p.stdout)
    v, p = both(two_hubs, "show", "--hub", "{hub}", "--lead", "no-such-lead")
    assert v.returncode == p.returncode == 2 and v.stderr == p.stderr


def test_exports_suppression_and_the_sharing_log_read_alike(two_hubs: dict) -> None:
    root = two_hubs["root"]
    v, p = both(two_hubs, "export", "--hub", "{hub}", "--purpose", "sales_contact",
                "--out", str(root / "export-{kind}.csv"))
    assert v.returncode == p.returncode == 0, (v.stderr, p.stderr)
    assert json.loads(v.stdout)["rows"] == json.loads(p.stdout)["rows"] > 0

    def rows(path: Path) -> list[dict]:
        return sorted(
            csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))), key=lambda r: json.dumps(r, sort_keys=True)
        )

    assert rows(root / "export-vault.csv") == rows(root / "export-pg.csv")
    v, p = both(two_hubs, "suppression", "--hub", "{hub}", "--hashed", "--out", str(root / "supp-{kind}.csv"))
    assert v.returncode == p.returncode == 0
    assert rows(root / "supp-vault.csv") == rows(root / "supp-pg.csv")
    for written in root.glob("*-*.csv"):  # plaintext exports: not left in the run's folders
        written.unlink()
    v, p = both(two_hubs, "sharing-log", "--hub", "{hub}")
    strip = [{k: e[k] for k in e if k not in ("at", "file_name")} for e in json.loads(v.stdout)]
    assert strip == [{k: e[k] for k in e if k not in ("at", "file_name")} for e in json.loads(p.stdout)]


def test_rights_and_evidence_commands_act_alike(two_hubs: dict) -> None:
    leads = two_hubs["world"].laptops[0].leads
    hub = Booth.unlock(Path(two_hubs["vault"]), PASS)
    try:
        # (not leads[0]: its certificate is verified below, unchanged since capture)
        target = next(lead for lead in leads[1:] if "sales_contact" in hub.record(lead).granted())
        erased = next(lead for lead in leads[10:] if hub.record(lead).lead.erased_at is None)
    finally:
        hub.lock()
    v, p = both(two_hubs, "withdraw", "--hub", "{hub}", "--lead", target, "--purpose", "sales_contact")
    assert v.returncode == p.returncode == 0, (v.stderr, p.stderr)
    assert set(json.loads(v.stdout)) == set(json.loads(p.stdout))
    v, p = both(two_hubs, "withdraw", "--hub", "{hub}", "--lead", target, "--purpose", "sales_contact")
    assert v.returncode == p.returncode == 2 and v.stderr == p.stderr  # nothing left to withdraw
    v, p = both(two_hubs, "erase", "--hub", "{hub}", "--lead", erased)
    assert v.returncode == p.returncode == 0
    v, p = both(two_hubs, "show", "--hub", "{hub}", "--lead", target)
    shown = [json.loads(v.stdout), json.loads(p.stdout)]
    assert shown[0]["purposes"] == shown[1]["purposes"] and shown[0]["purposes"]["sales_contact"] == "withdrawn"
    v, p = both(two_hubs, "verify-ledger", "--hub", "{hub}")
    assert v.returncode == p.returncode == 0 and v.stdout == p.stdout
    v, p = both(two_hubs, "purge", "--hub", "{hub}")
    assert v.stdout == p.stdout
    v, p = both(two_hubs, "devices", "--hub", "{hub}")
    laptop = two_hubs["world"].laptops[0].device_id

    def entry(out: str) -> list[dict]:  # the vault approved the laptop by fingerprint; PostgreSQL's root enrolled it
        return [{k: d[k] for k in d if k != "trusted_by"} for d in json.loads(out) if d["device_id"] == laptop]

    assert entry(v.stdout) == entry(p.stdout) and len(entry(v.stdout)) == 1


def test_a_laptops_certificate_verifies_against_the_postgresql_hub_that_enrolled_it(two_hubs: dict) -> None:
    root, url = two_hubs["root"], two_hubs["url"]
    lead = two_hubs["world"].laptops[0].leads[0]  # its capture certificate came with the bundle
    target = root / "cert.pdf"
    done = cb("certificate", "--hub", url, "--lead", lead, "--out", str(target))
    assert done.returncode == 0, done.stderr
    verdict = cb("verify", str(target), "--hub", url, "--json")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    result = json.loads(verdict.stdout)
    assert result["outcome"] == "valid"
    assert {c["name"] for c in result["checks"] if c["ok"]} >= {"ledger", "chain_head"}
    target.unlink()
