"""Inputs that ended in "unexpected failure": each is now exit 2 and one line on stderr, nothing
stored; a withdrawal stored on a hub reports success and says plainly why it has no certificate."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import PASS, cb
from tests.helpers import ZH_LEAD, file_state

GOOD = {"fields": ZH_LEAD, "purposes": ["sales_contact"], "operator": "WF"}


def _capture_text(vault: Path, tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    lead = tmp_path / "lead.json"
    lead.write_text(text, encoding="utf-8")
    return cb("capture", "--vault", str(vault), "--input", str(lead), "--no-certificate")


def _one_line(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert "unexpected failure" not in result.stderr and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert result.stdout == ""
    return result.stderr


CASES = {
    "purposes as an object": (
        json.dumps({**GOOD, "purposes": {"sales_contact": False, "newsletter": False}}),
        "Error: “purposes” must be a list of purpose codes, e.g. [\"sales_contact\"].\n",
    ),
    "under_14 as a string": (
        json.dumps({**GOOD, "under_14": "false"}),
        "Error: “under_14” must be true or false, without quotes.\n",
    ),
    "company as an object": (
        json.dumps({**GOOD, "fields": {**ZH_LEAD, "company": {"a": 1}}}),
        "Error: “fields.company” must be text in quotes.\n",
    ),
    "company as true": (
        json.dumps({**GOOD, "fields": {**ZH_LEAD, "company": True}}),
        "Error: “fields.company” must be text in quotes.\n",
    ),
    "a field name with a space": (
        json.dumps({**GOOD, "fields": {**ZH_LEAD, "first name": "Wei"}}),
        "“fields.first name” is not a field this event knows",
    ),
    "an event id as a list": (json.dumps({**GOOD, "event": ["x"]}), "Error: “event” must be text in quotes.\n"),
    "deep nesting": (
        '{"fields": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "Error: The input is nested too deeply to be a capture document or a bundle row.\n",
    ),
    "2,000 unknown fields": (
        json.dumps({**GOOD, "fields": {**ZH_LEAD, **{f"f{i}": "x" * 400 for i in range(2000)}}}),
        "“fields.f0” and 1999 other entries are not fields this event knows",
    ),
    "not JSON": ("{'fields': {}}", "Error: The input is not valid JSON ("),
}


@pytest.mark.parametrize("text,expected", CASES.values(), ids=CASES.keys())
def test_a_broken_capture_document_is_one_line_exit_2_and_nothing_stored(
    vault: Path, tmp_path: Path, text: str, expected: str
) -> None:
    before = file_state(vault)
    result = _capture_text(vault, tmp_path, text)
    line = _one_line(result)
    assert expected in line
    assert file_state(vault) == before  # refused before the vault was even opened


def test_a_list_is_captured_all_or_nothing(vault: Path, tmp_path: Path) -> None:
    bad = _capture_text(vault, tmp_path, json.dumps([GOOD, {**GOOD, "under_14": 0}]))
    _one_line(bad, "Capture 2 of the list: “under_14” must be true or false")
    assert json.loads(cb("leads", "--vault", str(vault), "--json").stdout) == []
    good = _capture_text(vault, tmp_path, json.dumps([GOOD, {**GOOD, "purposes": ["newsletter"]}]))
    assert good.returncode == 0, good.stderr
    assert [r["granted"] for r in json.loads(good.stdout)] == [["sales_contact"], ["newsletter"]]


def test_withdraw_with_a_request_date_that_is_not_a_date(vault: Path) -> None:
    result = cb("withdraw", "--vault", str(vault), "--lead", "x", "--purpose", "newsletter",
                "--request-date", "notadate")
    assert _one_line(result) == "Error: --request-date must be a date written YYYY-MM-DD, e.g. 2025-03-31.\n"


def test_a_withdrawal_stored_on_a_hub_reports_success_and_why_no_certificate(tmp_path: Path) -> None:
    """The hub holds no organisation (bundles do not carry it), so no certificate can state it.
    The withdrawal is stored: exit 0, ``certificate_id: null`` with the reason, one note line."""
    from consentbooth.exports.bundle import generate_ops_identity
    from consentbooth.services.booth import Booth, CaptureRequest

    secret, public = generate_ops_identity()
    booth = Booth.create(tmp_path / "booth.cbvault", PASS, demo=True)
    lead_id = booth.capture(CaptureRequest(fields=ZH_LEAD, purposes=["sales_contact", "newsletter"])).lead_id
    booth.create_bundle(recipient=public, target=tmp_path / "b.age")
    booth.lock()
    hub = Booth.create(tmp_path / "hub.cbvault", PASS, role="hub")
    try:
        merged = hub.merge_files(paths=[tmp_path / "b.age"], identity_text=secret)[0]
        if not merged.ok and getattr(merged, "fingerprint", ""):  # a device the hub must approve
            merged = hub.merge_files(
                paths=[tmp_path / "b.age"], identity_text=secret, approve_devices=[merged.fingerprint]
            )[0]
        assert merged.ok, merged.reason
    finally:
        hub.lock()
    result = cb("withdraw", "--vault", str(tmp_path / "hub.cbvault"), "--lead", lead_id,
                "--purpose", "newsletter", "--channel", "hub")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["ledger_id"] and out["certificate_id"] is None
    assert out["certificate_problem"] == (
        "The setup this consent refers to is incomplete; finish the setup first."
    )
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Note: stored, but no certificate")
    shown = json.loads(cb("show", "--vault", str(tmp_path / "hub.cbvault"), "--lead", lead_id).stdout)
    assert shown["purposes"]["newsletter"] == "withdrawn"
    assert shown["purposes"]["sales_contact"] == "granted"
