"""Rights requests through the CLI (issue #16 item 1): each request type opened, found, closed
with its outcome and answered by letter; an overdue one listed; the ledger entries each leaves;
bad input refused in one sentence with nothing stored."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from consentbooth import cli
from consentbooth.domain.requests import RequestType
from tests.e2e.conftest import PASS, cb
from tests.helpers import ZH_LEAD
from tests.support.personcopy import pdf_text


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("CONSENTBOOTH_PASSPHRASE", PASS)

    def call(*args: str) -> tuple[int, object, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, json.loads(captured.out) if captured.out.strip() else None, captured.err

    return call


def _capture(vault: Path, tmp_path: Path, payload: dict) -> str:
    doc = tmp_path / "lead.json"
    doc.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    result = cb("capture", "--vault", str(vault), "--input", str(doc), "--no-certificate")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["lead_id"]


def test_every_request_type_from_finding_to_the_letter(vault: Path, tmp_path: Path, run) -> None:
    zh = _capture(vault, tmp_path, {"language": "zh-CN", "fields": ZH_LEAD,
                                    "purposes": ["sales_contact", "newsletter"], "operator": "WF"})
    v = ["--vault", str(vault)]
    # found by email, by phone and by name
    for query in (ZH_LEAD["email"], ZH_LEAD["phone"], ZH_LEAD["name"]):
        code, found, err = run("request", "find", query, *v)
        assert code == 0, err
        assert [p["lead_id"] for p in found] == [zh], query

    opened = {}
    for kind in RequestType:
        code, req, err = run("request", "open", *v, "--lead", zh, "--type", kind.value, "--channel", "email",
                             "--identity-check", "reply from the email address on record",
                             "--received", (date.today() - timedelta(days=3)).isoformat())
        assert code == 0, err
        assert req["status"] == "open" and req["kind"] == kind.value and not req["overdue"]
        assert req["due_on"] == (date.today() + timedelta(days=27)).isoformat()  # 30 days after receipt
        opened[kind.value] = req["id"]
    # an overdue one: received 40 days ago, the 30-day period has passed
    code, late, err = run("request", "open", *v, "--lead", zh, "--type", "access", "--channel", "letter",
                          "--identity-check", "ID card shown at the office",
                          "--received", (date.today() - timedelta(days=40)).isoformat())
    assert code == 0, err and late["overdue"]
    code, overdue, _ = run("request", "list", *v, "--overdue")
    assert [r["id"] for r in overdue] == [late["id"]]

    for kind, request_id in opened.items():
        refused = kind == "deletion"
        outcome, note = ("refused", "The law requires us to keep this record.") if refused else ("fulfilled", "")
        args = ["request", "close", request_id, *v, "--outcome", outcome] + (["--note", note] if note else [])
        code, closed, err = run(*args)
        assert code == 0, err
        assert closed["status"] == "closed" and closed["outcome"] == outcome and closed["closed_ledger_id"]
    code, still_open, _ = run("request", "list", *v, "--open")
    assert [r["id"] for r in still_open] == [late["id"]]

    code, letter, err = run("request", "letter", opened["deletion"], *v, "--out", str(tmp_path))
    assert code == 0, err
    text = Path(letter["letter"]).read_text(encoding="utf-8")
    assert "张伟" in text and "删除" in text and "The law requires us to keep this record." in text
    assert "个人信息保护法" in text or "网信" in text
    assert "The law requires us to keep this record." in pdf_text(Path(letter["pdf"]))
    assert "删除您的个人信息" in " ".join(pdf_text(Path(letter["pdf"])).split()).replace(" ", "")
    sig = subprocess.run(["pdfsig", letter["pdf"]], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid" in sig and "Total document signed" in sig, sig

    code, shown, _ = run("show", *v, "--lead", zh)
    actions = [h["action"] for h in shown["history"]]
    assert actions.count("request_opened") == 8 and actions.count("request_closed") == 7
    closing = [h for h in shown["history"] if h["action"] == "request_closed"]
    assert {h["extra"]["request"]["outcome"] for h in closing} == {"fulfilled", "refused"}
    assert all("identity" not in json.dumps(h) for h in shown["history"])  # no identity notes in the ledger
    granted = {code for code, state in shown["purposes"].items() if state == "granted"}
    assert granted == {"sales_contact", "newsletter"}  # requests decide nothing
    check = cb("verify-ledger", "--vault", str(vault))
    assert check.returncode == 0 and "16 events" in check.stdout, check.stdout + check.stderr


def test_the_answer_period_is_configurable(vault: Path, run) -> None:
    v = ["--vault", str(vault)]
    assert run("request", "policy", *v)[1] == {"due_days": 30}
    assert run("request", "policy", *v, "--due-days", "15")[1] == {"due_days": 15}
    code, _out, err = run("request", "policy", *v, "--due-days", "0")
    assert code == 2 and err == "Error: The answer period must be 1 to 365 days.\n"


@pytest.mark.parametrize(("extra", "sentence"), [
    (["--type", "forget-me"], "Unknown request type “forget-me”; use access, copy, portability, correction, "
                              "deletion, withdrawal or explanation."),
    (["--type", "access", "--due", "2020-01-01"], "The due date cannot be in the past."),
    (["--type", "access", "--identity-check", ""], "Say how the person's identity was checked."),
])
def test_bad_requests_are_one_sentence_and_store_nothing(vault: Path, tmp_path: Path, run, extra, sentence) -> None:
    lead = _capture(vault, tmp_path, {"language": "en", "fields": {**ZH_LEAD, "name": "Ann Lee"},
                                      "purposes": ["sales_contact"]})
    args = ["request", "open", "--vault", str(vault), "--lead", lead, "--identity-check", "in person", *extra]
    code, _out, err = run(*args)
    assert code == 2 and err == f"Error: {sentence}\n"
    assert run("request", "list", "--vault", str(vault))[1] == []


def test_an_unknown_lead_is_one_sentence_from_a_real_process(vault: Path) -> None:
    bad = cb("request", "open", "--vault", str(vault), "--lead", "no-such-lead", "--type", "copy",
             "--identity-check", "in person")
    assert bad.returncode == 2 and bad.stderr == "Error: No lead with id no-such-lead.\n"
    assert "Traceback" not in bad.stderr
