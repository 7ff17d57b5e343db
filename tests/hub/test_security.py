"""What a DBA asks before hosting the hub: the server never sees personal data in the clear (data
directory after CHECKPOINT, a pg_dump file), the ledger is append-only twice over, passwords stay
out of command lines and logs, TLS verify-full works, the data key rotates, the schema upgrades
from each earlier version."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.crypto.envelope import key_file_text, new_slot_key
from consentbooth.hub.postgres import prepare, schema
from consentbooth.hub.postgres.connect import connect
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.hubs import (
    HubKey,
    add_hub_key,
    init_postgres_hub,
    open_ops_hub,
    remove_hub_key,
    rotate_hub_key,
)
from consentbooth.services.trust import read_enrolment_file
from tests.hub.conftest import PASS, HubDatabase
from tests.support.postgres import OPS_ROLE_PASSWORD

# Markers of this test's own (the e2e leak scan looks for its own in the whole run folder).
CANARIES = {
    "name": "Canarypg Zhang", "company": "CANARY-pg9d Instruments", "email": "canary.pg9d@example.cn",
    "phone": "13912347766", "wechat": "canary_wx_pg9d",
}
ZH_CANARY = "库金丝雀"
MARKERS = [b"Canarypg", b"CANARY-pg9d", b"canary.pg9d", b"13912347766", b"canary_wx_pg9d",
           ZH_CANARY.encode()]


def _hub(db: HubDatabase, user: str = "ops1") -> tuple[Booth, str]:
    init_postgres_hub(db.admin_url, key=HubKey(passphrase=PASS), organisation_name="Example Instruments")
    url = db.ops_url(user)
    return open_ops_hub(url, key=HubKey(passphrase=PASS)), url


def _laptop_bundle(hub: Booth, root: Path, people: list[dict[str, str]]) -> tuple[Path, str, list[str]]:
    from consentbooth.exports.bundle import generate_ops_identity

    enrolment = hub.enrol_device()
    laptop = Booth.create(root / "laptop.cbvault", PASS, demo=True,
                          enrolment=read_enrolment_file(enrolment.data, enrolment.code))
    try:
        results = laptop.capture_batch(
            [CaptureRequest(fields=p, purposes=["sales_contact", "newsletter"]) for p in people]
        )
        laptop.issue_certificate(results[0].ledger_id)  # a PDF that holds the person's details
        secret, public = generate_ops_identity()
        laptop.create_bundle(recipient=public, target=root / "laptop.age")
    finally:
        laptop.lock()
    return root / "laptop.age", secret, [r.lead_id for r in results]


def _scan(folder: Path) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.relative_to(folder)}: {m!r}" for m in MARKERS if m in data]
    return hits


def test_no_plaintext_personal_data_reaches_the_server(hub_db: HubDatabase, pg_server, tmp_path: Path) -> None:
    hub, url = _hub(hub_db)
    try:
        people = [
            dict(CANARIES),
            {**CANARIES, "name": ZH_CANARY, "email": "zh.canary.pg9d@example.cn", "phone": "13912347767"},
        ]
        people += [{"name": "王芳", "phone": f"1380000{i:04d}", "email": f"p{i}@example.cn"} for i in range(30)]
        bundle, secret, leads = _laptop_bundle(hub, tmp_path, people)
        assert all(r.ok for r in hub.merge_files(paths=[bundle], identity_text=secret))
        # every way in: search (blind index), export, withdrawal, correction, a certificate, erasure
        assert [r.id for r in hub.search("canary.pg9d@example.cn")] == [leads[0]]
        assert [r.id for r in hub.search(ZH_CANARY)] == [leads[1]]
        assert {r.id for r in hub.search("金丝")} == {leads[1]}
        assert [r.id for r in hub.search("+86 139 1234 7766")] == [leads[0]]
        assert [r.id for r in hub.search("canarypg")] == [leads[0]]
        hub.withdraw(lead_id=leads[0], purposes=["newsletter"], channel="email")
        hub.correct(lead_id=leads[2], fields={"company": "CANARY-pg9d Corrected"})
        hub.erase(lead_id=leads[3])
        assert hub.export_leads(purposes=["sales_contact"], target=tmp_path / "out.csv") >= 30
        assert b"canary.pg9d@example.cn" in (tmp_path / "out.csv").read_bytes()  # ops see it; the server not
        (tmp_path / "out.csv").unlink()  # no plaintext left behind in the run's folders
        assert hub.record(leads[1]).lead.fields["name"] == ZH_CANARY
    finally:
        hub.lock()
    pg_server.checkpoint()
    assert _scan(pg_server.data) == []
    dump = tmp_path / "hub.sql"
    subprocess.run(pg_server.client("pg_dump", "-f", str(dump), hub_db.name), check=True, timeout=120)
    assert dump.stat().st_size > 10_000
    assert b"COPY consentbooth.leads" in dump.read_bytes()
    assert [m for m in MARKERS if m in dump.read_bytes()] == []
    assert [m for m in MARKERS if m in (pg_server.root / "server.log").read_bytes()] == []


def test_the_ledger_is_append_only_by_privilege_and_by_trigger(hub_db: HubDatabase, tmp_path: Path) -> None:
    hub, url = _hub(hub_db)
    try:
        bundle, secret, leads = _laptop_bundle(
            hub, tmp_path, [{"name": "李娜", "phone": "13800000001", "email": "ln@example.cn"}]
        )
        assert all(r.ok for r in hub.merge_files(paths=[bundle], identity_text=secret))
    finally:
        hub.lock()
    ops = connect(url)  # the application's role: INSERT and SELECT only
    try:
        for statement in ("UPDATE ledger SET action = 'consent'", "DELETE FROM ledger", "TRUNCATE ledger"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                ops.execute(statement)
        assert ops.execute("SELECT count(*) FROM ledger").fetchone()[0] == 1
    finally:
        ops.close()
    owner = connect(hub_db.admin_url)  # even the schema's owner: the triggers refuse
    try:
        for statement in ("UPDATE ledger SET action = 'consent'", "DELETE FROM ledger", "TRUNCATE ledger"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                owner.execute(statement)
    finally:
        owner.close()
    grants = hub_db.psql(
        "SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM "
        "information_schema.role_table_grants WHERE table_schema = 'consentbooth' "
        "AND table_name = 'ledger' AND grantee = 'consentbooth_ops'"
    )
    assert grants == "INSERT,SELECT"


def test_passwords_come_from_the_environment_pgpass_or_a_prompt_never_the_url(
    hub_db: HubDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_dir: Path
) -> None:
    _hub(hub_db)[0].lock()
    url = hub_db.ops_url()
    with pytest.raises(UserFacingError, match="Do not put the database password in the URL"):
        connect(url.replace("ops1@", f"ops1:{OPS_ROLE_PASSWORD}@"))
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(UserFacingError, match="Cannot connect to the hub database") as info:
        connect(url)
    assert OPS_ROLE_PASSWORD not in info.value.localized("en")
    connect(url, ask_password=lambda: OPS_ROLE_PASSWORD).close()  # the prompt
    with pytest.raises(UserFacingError, match="password authentication failed"):
        connect(url, ask_password=lambda: "wrong")
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"localhost:*:*:ops1:{OPS_ROLE_PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    connect(url).close()
    # the CLI: no password in argv is possible, none in the log
    env = {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS}
    done = subprocess.run(
        [sys.executable, "-m", "consentbooth", "leads", "--hub", url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    for log in (run_dir / "logs").rglob("*"):
        if log.is_file():
            assert OPS_ROLE_PASSWORD.encode() not in log.read_bytes()
            assert PASS.encode() not in log.read_bytes()


def test_tls_verify_full_accepts_our_ca_and_refuses_another(hub_db: HubDatabase, tmp_path: Path) -> None:
    from tests.support.postgres import _make_tls

    url = hub_db.ops_url()
    conn = connect(url)
    try:
        assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0] is True
        assert conn.info.parameter_status("server_version")
    finally:
        conn.close()
    other = tmp_path / "other"
    other.mkdir()
    stranger_ca, _cert, _key = _make_tls(other)
    with pytest.raises(UserFacingError, match="SSL error|certificate verify failed"):
        connect(url.split("sslrootcert=")[0] + f"sslrootcert={stranger_ca}")


def test_the_data_key_rotates_and_every_slot_still_opens_the_hub(hub_db: HubDatabase, tmp_path: Path) -> None:
    hub, url = _hub(hub_db)
    key_file = tmp_path / "second.key"
    key_file.write_text(key_file_text(new_slot_key()))
    try:
        bundle, secret, leads = _laptop_bundle(
            hub,
            tmp_path,
            [
                {"name": "张伟", "phone": "13800138000", "email": "zw@example.cn"},
                {"name": "Emma Schmidt", "phone": "13800138001", "email": "es@example.cn"},
            ],
        )
        assert all(r.ok for r in hub.merge_files(paths=[bundle], identity_text=secret))
        add_hub_key(hub, label="second ops", key=HubKey(key_file_text=key_file.read_text()))
        other = open_ops_hub(url, key=HubKey(key_file_text=key_file.read_text()))  # open before the rotation
        before = hub_db.psql("SELECT encode(fields_enc, 'hex') FROM consentbooth.leads ORDER BY id")
        assert rotate_hub_key(hub) == 2
        assert hub_db.psql("SELECT string_agg(version::text, ',') FROM consentbooth.data_keys") == "2"
        after = hub_db.psql("SELECT encode(fields_enc, 'hex') FROM consentbooth.leads ORDER BY id")
        assert set(before.split()).isdisjoint(after.split())  # every value sealed anew
        assert {r.id for r in hub.search("张伟")} == {leads[0]}
        assert hub.verify_ledger().ok
        assert other.search("es@example.cn")[0].name == "Emma Schmidt"  # it picks up the new key
        assert other.record(leads[0]).lead.fields["email"] == "zw@example.cn"
        other.lock()
    finally:
        hub.lock()
    with pytest.raises(UserFacingError, match="does not unlock"):
        open_ops_hub(url, key=HubKey(passphrase="Another-Long-Passphrase-7"))
    again = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        assert again.certificate_identity.key_pem  # the hub's own key, sealed under the new data key
        assert again.root_info().holds_key
        assert remove_hub_key(again, label="second ops") == 1  # someone left
        with pytest.raises(UserFacingError, match="last key slot"):
            remove_hub_key(again, label="ops")
    finally:
        again.lock()
    with pytest.raises(UserFacingError, match="does not unlock"):
        open_ops_hub(url, key=HubKey(key_file_text=key_file.read_text()))


@pytest.mark.parametrize("version", range(1, schema.CURRENT_VERSION))
def test_hub_init_upgrades_the_schema_from_each_earlier_version(
    hub_db: HubDatabase, pg_server, version: int, tmp_path: Path
) -> None:
    before, after, made = prepare(hub_db.admin_url, unlock=_unlock(), target=version)
    assert (before, after, made) == (0, version, True)
    env = {**os.environ, "CONSENTBOOTH_PASSPHRASE": PASS}
    done = subprocess.run(
        [sys.executable, "-m", "consentbooth", "hub", "init", "--hub", hub_db.admin_url, "--organisation", "Example"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f'"schema_before": {version}' in done.stdout and '"data_key_created": false' in done.stdout
    fresh = HubDatabase(pg_server)
    prepare(fresh.admin_url, unlock=_unlock())

    def shape(db: HubDatabase) -> str:
        return db.psql(
            "SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || "
            "coalesce(collation_name, ''), ',' ORDER BY table_name, column_name) FROM "
            "information_schema.columns WHERE table_schema = 'consentbooth'"
        ) + db.psql(
            "SELECT string_agg(indexname || ':' || indexdef, ',' ORDER BY indexname) FROM pg_indexes "
            "WHERE schemaname = 'consentbooth'"
        ).replace(db.name, "")

    assert shape(hub_db) == shape(fresh)
    hub = open_ops_hub(hub_db.ops_url(), key=HubKey(passphrase=PASS))  # the old key slot still opens it
    try:
        assert hub.root_info().holds_key
    finally:
        hub.lock()


def _unlock():
    from consentbooth.hub.postgres import Unlock

    return Unlock(passphrase=PASS)
