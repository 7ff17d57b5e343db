"""A partner's list imported on a laptop reaches a PostgreSQL hub and a hub vault alike (issue #16):
its people are exported with their source and the proof's hash, and only for what the proof
covers."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from consentbooth.exports.bundle import generate_ops_identity
from consentbooth.services.booth import Booth
from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
from consentbooth.services.trust import read_enrolment_file as read_enrolment
from tests.helpers import zh_request
from tests.hub.conftest import PASS, HubDatabase

LIST = b"Name,E-mail,Firma\nZhou Min,zhou.min@partner.example,Partner Co\nKarl Weber,karl@weber.example,Weber AG\n"


def cb(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS}
    return subprocess.run([sys.executable, "-m", "consentbooth", *args], env=env, capture_output=True,
                          text=True, timeout=180)


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))


def test_third_party_people_export_with_their_source_from_both_hub_kinds(pg_server, tmp_path: Path) -> None:
    from tests.support.postgres import OPS_ROLE_PASSWORD

    os.environ["PGPASSWORD"] = OPS_ROLE_PASSWORD
    db = HubDatabase(pg_server)
    init_postgres_hub(db.admin_url, key=HubKey(passphrase=PASS), organisation_name="Example")
    url = db.ops_url()
    secret, public = generate_ops_identity()
    pg = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        enrolment = pg.enrol_device()
    finally:
        pg.lock()
    laptop = Booth.create(tmp_path / "laptop.cbvault", PASS, demo=True,
                          enrolment=read_enrolment(enrolment.data, enrolment.code))
    try:
        fingerprint = laptop.root_info().device_fingerprint
        own = laptop.capture(zh_request(purposes=["product_info", "newsletter"]))
        imported = laptop.import_third_party_list(
            data=LIST, file_name="partner.csv", proof=b"%PDF-1.4 contract", proof_name="contract.pdf",
            purposes=["product_info"], mapping={"name": "Name", "email": "E-mail", "company": "Firma"},
            source="Partner X", operator="WF")
        people = set(laptop.third_party_people(imported.import_id))
        bundle = tmp_path / "laptop.age"
        laptop.create_bundle(recipient=public, target=bundle)
    finally:
        laptop.lock()
    identity = tmp_path / "ops.key"
    identity.write_text(secret)
    vault = tmp_path / "hub.cbvault"
    for hub in (str(vault), url):
        done = cb("merge", "--hub", hub, "--identity", str(identity), "--approve-device", fingerprint, str(bundle))
        assert done.returncode == 0, done.stderr
    for purpose in ("product_info", "newsletter"):
        exported = {}
        for kind, hub in (("vault", str(vault)), ("pg", url)):
            out = tmp_path / f"{purpose}-{kind}.csv"
            done = cb("export", "--hub", hub, "--purpose", purpose, "--out", str(out))
            assert done.returncode == 0, done.stderr
            exported[kind] = {r["lead_id"]: r for r in rows(out)}
            out.unlink()
        assert exported["vault"] == exported["pg"]
        got = exported["pg"]
        assert got[own.lead_id]["source"] == "booth" and got[own.lead_id]["source_proof_sha256"] == ""
        if purpose == "product_info":
            assert people <= set(got)
            assert {got[p]["source"] for p in people} == {"Partner X"}
            assert {got[p]["source_proof_sha256"] for p in people} == {imported.proof_sha256}
        else:  # the proof does not cover it: none of them
            assert not people & set(got)
