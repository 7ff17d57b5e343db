"""Issue 9's bad inputs through the command line: a malformed enrolment file, a root that is not a
CA, a TSA that is down or answers garbage, a certificate from another organisation. One sentence
each on stderr, exit 2 (or 1 for a certificate that is not valid), nothing stored, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import cb
from tests.helpers import ZH_LEAD
from tests.support.keys import create_self_signed
from tests.support.tsa import closed_url, local_tsa, tsa  # noqa: F401  (a real local TSA)


def _one_sentence(result, code: int = 2) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.stderr
    return lines[0]


def test_enrolment_and_trust_root_mistakes_store_nothing(vault: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "laptop.cbenrol"
    garbage.write_bytes(b"this is not an enrolment file")
    laptop = tmp_path / "laptop.cbvault"
    line = _one_sentence(cb("init", "--vault", str(laptop), "--enrol", str(garbage),
                            CONSENTBOOTH_ENROLMENT_CODE="AAAA-BBBB-CCCC-DDDD"))
    assert "not an enrolment file" in line and not laptop.exists()
    leaf = tmp_path / "leaf.pem"  # a certificate that is not a certificate authority
    leaf.write_bytes(create_self_signed("Somebody").cert_pem)
    assert "certificate authority" in _one_sentence(cb("trust", "add", str(leaf), passphrase=None))
    assert json.loads(cb("trust", "list", passphrase=None).stdout) == []
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello")
    assert "not a certificate" in _one_sentence(cb("trust", "add", str(not_pem), passphrase=None))
    pdf = tmp_path / "c.pdf"
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"fields": ZH_LEAD, "purposes": ["sales_contact"]}, ensure_ascii=False))
    captured = json.loads(cb("capture", "--vault", str(vault), "--input", str(lead)).stdout)
    cb("certificate", "--vault", str(vault), "--lead", captured["lead_id"], "--out", str(pdf))
    _one_sentence(cb("verify", str(pdf), "--trust", str(leaf), passphrase=None))
    enrol = cb("enrol-device", "--vault", str(vault), "--out", str(tmp_path / "x.cbenrol"))
    assert enrol.returncode == 0  # an organisation's own vault (init --demo) can enrol


def test_a_certificate_from_another_organisation_is_not_valid_against_ours(vault: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.cbvault"
    assert cb("init", "--vault", str(other), "--demo").returncode == 0
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"fields": ZH_LEAD, "purposes": ["sales_contact"]}, ensure_ascii=False))
    captured = json.loads(cb("capture", "--vault", str(other), "--input", str(lead)).stdout)
    theirs = tmp_path / "theirs.pdf"
    cb("certificate", "--vault", str(other), "--lead", captured["lead_id"], "--out", str(theirs))
    ours = tmp_path / "root.pem"
    cb("root", "--vault", str(vault), "--export", str(ours))
    result = cb("verify", str(theirs), "--trust", str(ours), passphrase=None)
    assert result.returncode == 1 and result.stdout.startswith("NOT VALID") and result.stderr == ""
    with_vault = cb("verify", str(theirs), "--vault", str(vault))
    assert with_vault.returncode == 1 and "not in this vault's ledger" in with_vault.stdout


def test_a_tsa_that_is_down_or_talks_nonsense_stores_nothing(vault: Path, tmp_path: Path, local_tsa) -> None:  # noqa: F811
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"fields": ZH_LEAD, "purposes": ["sales_contact"]}, ensure_ascii=False))
    assert cb("capture", "--vault", str(vault), "--input", str(lead), "--no-certificate").returncode == 0
    assert "web address" in _one_sentence(cb("tsa", "--vault", str(vault), "--url", "ftp:/nowhere"))
    assert cb("tsa", "--vault", str(vault), "--url", closed_url()).returncode == 0
    line = _one_sentence(cb("checkpoint", "--vault", str(vault)))
    assert "time-stamping" in line.lower() or "tsa" in line.lower()
    assert cb("tsa", "--vault", str(vault), "--url", local_tsa.url).returncode == 0
    local_tsa.mode = "garbage"
    try:
        _one_sentence(cb("checkpoint", "--vault", str(vault)))
    finally:
        local_tsa.mode = "ok"
    stamped = json.loads(cb("checkpoint", "--vault", str(vault)).stdout)
    assert len(stamped) == 1 and stamped[0]["device_seq"] == 1  # the one capture's chain head
    assert json.loads(cb("checkpoint", "--vault", str(vault)).stdout) == []  # nothing new
    report = cb("verify-ledger", "--vault", str(vault))
    assert report.returncode == 0, report.stderr
