"""The copy of everything held about a person (issue #16 item 2) from a vault: the signed bilingual
PDF read back by pdftotext, pdfsig and pyHanko, and its JSON validated against the published
schema, for a person with consents, a withdrawal and a sharing-log entry; the same through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from consentbooth import cli
from consentbooth.core.errors import NotFound
from consentbooth.services import personcopy, requests
from consentbooth.services.booth import Booth
from tests.conftest import PASSPHRASE
from tests.helpers import ZH_LEAD, zh_request
from tests.support.personcopy import SCHEMA, check_content, check_copy, share_then_withdraw


def test_the_copy_from_a_vault_reads_back_signed_and_valid(booth: Booth, tmp_path: Path) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    share_then_withdraw(booth.ctx, lead_id, tmp_path)
    requests.open_request(booth.ctx, lead_id=lead_id, kind="copy", channel="email",
                          identity_check="reply from the email address on record")
    out = tmp_path / "copy"
    out.mkdir()
    files = personcopy.write_copy(booth.ctx, lead_id, out)
    nss = tmp_path / "nss"
    nss.mkdir()
    data = check_copy(files, name=ZH_LEAD["name"], root_pem=booth.hub.get_meta("root_cert_pem") or b"",
                      nss_dir=nss)
    check_content(data, lead_id=lead_id)
    assert data["person"]["details"]["phone"] == "+8613800138000"  # as stored (E.164)
    assert [r["type"] for r in data["requests"]] == ["copy"]
    assert sorted(p.name for p in out.iterdir()) == [f"copy-{lead_id}.json", f"copy-{lead_id}.pdf"]


def test_the_schema_refuses_what_it_does_not_describe(booth: Booth) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    data = personcopy.build_copy(booth.ctx, lead_id)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    validator.validate(data)
    for broken in ({**data, "schema": "consentbooth.person-copy/2"}, {**data, "surprise": 1},
                   {**data, "consents": [{**data["consents"][0], "state": "maybe"}]}):
        assert not validator.is_valid(broken)


def test_an_unknown_lead_is_one_sentence(booth: Booth, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(NotFound) as raised:
        personcopy.write_copy(booth.ctx, "nobody", out)
    assert str(raised.value) == "No lead with id nobody."
    assert list(out.iterdir()) == []


def test_the_cli_writes_the_copy(booth: Booth, tmp_path: Path, monkeypatch, capsys) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    path = booth.vault.path
    booth.lock()
    monkeypatch.setenv("CONSENTBOOTH_PASSPHRASE", PASSPHRASE)
    assert cli.main(["copy", lead_id, "--vault", str(path), "--out", str(tmp_path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["schema"] == "consentbooth.person-copy/1"
    data = json.loads(Path(result["json"]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert Path(result["pdf"]).read_bytes().startswith(b"%PDF")
