"""Rights requests and the person's copy on a PostgreSQL hub (issue #16 items 1 and 2): the same
commands as on a vault, the register sealed in the database, the ledger still verifying."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from consentbooth import cli
from consentbooth.domain.requests import RequestType
from consentbooth.services import personcopy
from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
from tests.hub import world as worlds
from tests.hub.conftest import PASS, HubDatabase
from tests.support.personcopy import check_content, check_copy, share_then_withdraw


@pytest.fixture
def pg_hub(hub_db: HubDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> dict:
    init_postgres_hub(hub_db.admin_url, key=HubKey(passphrase=PASS), organisation_name="Example")
    url = hub_db.ops_url()
    pg = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        world = worlds.build(tmp_path, pg, laptops=1, leads=12, second_bundle=False)
    finally:
        pg.lock()
    identity = tmp_path / "ops.key"
    identity.write_text(world.ops_secret)
    monkeypatch.setenv("CONSENTBOOTH_PASSPHRASE", PASS)
    assert cli.main(["merge", "--hub", url, "--identity", str(identity), "--approve-device",
                     world.laptops[0].fingerprint, *map(str, world.bundles())]) == 0
    capsys.readouterr()
    return {"url": url, "world": world, "db": hub_db}


def _run(capsys, *args: str) -> tuple[int, object, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_requests_and_the_copy_on_a_postgresql_hub(pg_hub: dict, tmp_path: Path, capsys) -> None:
    url = pg_hub["url"]
    booth = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        ctx = booth.ctx
        lead_id = next(lead for lead in pg_hub["world"].laptops[0].leads
                       if {c for c, s in ctx.hub.consent_states(lead).items() if s[0] == "granted"}
                       >= {"sales_contact", "newsletter"} and not ctx.hub.get_lead(lead).erased_at)
        person = ctx.hub.get_lead(lead_id)
        share_then_withdraw(ctx, lead_id, tmp_path)
    finally:
        booth.lock()
    hub = ["--hub", url]
    for query in (person.fields["email"], person.fields["phone"], person.fields["name"]):
        code, found, err = _run(capsys, "request", "find", query, *hub)
        assert code == 0, err
        assert lead_id in [p["lead_id"] for p in found], query
    ids = {}
    for kind in RequestType:
        code, req, err = _run(capsys, "request", "open", *hub, "--lead", lead_id, "--type", kind.value,
                              "--identity-check", "called back on the phone number on record", "--channel", "phone")
        assert code == 0, err
        ids[kind.value] = req["id"]
    code, late, err = _run(capsys, "request", "open", *hub, "--lead", lead_id, "--type", "explanation",
                           "--identity-check", "in person", "--channel", "in_person",
                           "--received", (date.today() - timedelta(days=31)).isoformat())
    assert code == 0 and late["overdue"], err
    assert [r["id"] for r in _run(capsys, "request", "list", *hub, "--overdue")[1]] == [late["id"]]
    for request_id in ids.values():
        code, closed, err = _run(capsys, "request", "close", request_id, *hub, "--outcome", "fulfilled")
        assert code == 0 and closed["status"] == "closed", err
    assert [r["id"] for r in _run(capsys, "request", "list", *hub, "--open")[1]] == [late["id"]]
    code, letter, err = _run(capsys, "request", "letter", ids["copy"], *hub, "--out", str(tmp_path))
    assert code == 0, err
    assert "PIPL" in Path(letter["letter"]).read_text(encoding="utf-8") or "个人信息保护法" in Path(
        letter["letter"]).read_text(encoding="utf-8")
    # nothing of the identity check is readable in the database: the register row is sealed
    # the register's identity checks and notes are sealed in the database: not readable with SQL
    dump = pg_hub["db"].psql("SELECT kind, status, encode(data_enc, 'escape') FROM consentbooth.rights_requests")
    assert dump.count("phone") == 0 and "called back" not in dump and "explanation" in dump
    code, shown, _ = _run(capsys, "show", *hub, "--lead", lead_id)
    actions = [h["action"] for h in shown["history"]]
    assert actions.count("request_opened") == 8 and actions.count("request_closed") == 7
    assert cli.main(["verify-ledger", *hub]) == 0
    assert "Ledger verified: 32 events" in capsys.readouterr().out  # 17 captured + 15 about requests

    out = tmp_path / "copy"
    out.mkdir()
    code, result, err = _run(capsys, "copy", lead_id, *hub, "--out", str(out))
    assert code == 0, err
    booth = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        root_pem = booth.hub.get_meta("root_cert_pem") or b""
    finally:
        booth.lock()
    nss = tmp_path / "nss"
    nss.mkdir()
    files = personcopy.CopyFiles(pdf=Path(result["pdf"]), json=Path(result["json"]))
    data = check_copy(files, name=person.fields["name"], root_pem=root_pem, nss_dir=nss)
    check_content(data, lead_id=lead_id)
    assert len(data["requests"]) == 8
    assert os.environ.get("PGPASSWORD")


def test_erasing_the_person_on_a_postgresql_hub_drops_the_text_typed_about_them(pg_hub: dict, capsys) -> None:
    url = pg_hub["url"]
    hub = ["--hub", url]
    lead_id = pg_hub["world"].laptops[0].leads[0]
    code, req, err = _run(capsys, "request", "open", *hub, "--lead", lead_id, "--type", "deletion",
                          "--identity-check", "called back on 13900139017", "--channel", "phone")
    assert code == 0, err
    assert _run(capsys, "erase", *hub, "--lead", lead_id)[0] == 0
    booth = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        [kept] = booth.hub.rights_requests(lead_id=lead_id)
        assert (kept.id, kept.kind, kept.identity_check) == (req["id"], "deletion", "")
    finally:
        booth.lock()
