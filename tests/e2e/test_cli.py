"""The CLI contract, driven as ops scripts drive it: subprocesses, JSON on stdout, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.conftest import PASS, cb
from tests.helpers import ZH_LEAD, file_state


def capture(vault: Path, tmp_path: Path, payload: dict) -> subprocess.CompletedProcess:
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return cb("capture", "--vault", str(vault), "--input", str(lead))


def test_capture_search_withdraw_verify(vault: Path, tmp_path: Path) -> None:
    out = capture(
        vault,
        tmp_path,
        {"language": "zh-CN", "fields": ZH_LEAD, "purposes": ["sales_contact", "newsletter"], "operator": "WF"},
    )
    assert out.returncode == 0, out.stderr
    lead_id = json.loads(out.stdout)["lead_id"]
    listed = cb("leads", "--vault", str(vault), "--search", "张伟", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [lead_id]
    assert json.loads(cb("leads", "--vault", str(vault), "--search", "0013", "--json").stdout)[0]["name"] == "张伟"
    w = cb("withdraw", "--vault", str(vault), "--lead", lead_id, "--purpose", "newsletter", "--channel", "wechat")
    assert w.returncode == 0, w.stderr
    shown = json.loads(cb("show", "--vault", str(vault), "--lead", lead_id).stdout)
    assert shown["purposes"]["newsletter"] == "withdrawn"
    assert [h["action"] for h in shown["history"]] == ["consent", "withdrawal"]
    v = cb("verify-ledger", "--vault", str(vault))
    assert v.returncode == 0 and "2 events" in v.stdout


def test_declined_capture_prints_no_lead(vault: Path, tmp_path: Path) -> None:
    out = capture(vault, tmp_path, {"fields": ZH_LEAD, "purposes": []})
    assert out.returncode == 0
    assert json.loads(out.stdout) == {"lead_id": None, "ledger_id": None, "granted": [], "declined": True}
    assert json.loads(cb("leads", "--vault", str(vault), "--json").stdout) == []


def test_errors_are_one_clear_line_and_nonzero(vault: Path, tmp_path: Path) -> None:
    bad = capture(vault, tmp_path, {"fields": {**ZH_LEAD, "phone": "12"}, "purposes": ["sales_contact"]})
    assert bad.returncode != 0
    assert bad.stderr.count("\n") == 1 and "phone" in bad.stderr.lower()
    assert "Traceback" not in bad.stderr
    before = file_state(vault)
    wrong = cb("leads", "--vault", str(vault), passphrase="Not-The-Passphrase-1")
    assert wrong.returncode != 0 and "passphrase is not correct" in wrong.stderr
    assert file_state(vault) == before
    missing = cb("leads", "--vault", str(tmp_path / "nope.cbvault"))
    assert missing.returncode != 0 and "No vault was found" in missing.stderr
    no_pass = cb("leads", "--vault", str(vault), passphrase=None, stdin="")
    assert no_pass.returncode != 0 and "CONSENTBOOTH_PASSPHRASE" in no_pass.stderr


def test_passphrase_never_from_argv() -> None:
    out = cb("init", "--passphrase", "x")
    assert out.returncode != 0


def test_tampered_ledger_fails_verify_and_names_the_event(vault: Path, tmp_path: Path) -> None:
    for _ in range(2):
        capture(vault, tmp_path, {"fields": ZH_LEAD, "purposes": ["sales_contact"]})
    from consentbooth.services.booth import Booth
    from consentbooth.vault import ledger

    booth = Booth.unlock(vault, PASS)
    target = ledger.entries(booth.vault)[1]
    booth.vault.settle()  # raw SQL below: project the capture journal first
    conn = booth.vault.conn
    conn.execute("DROP TRIGGER ledger_no_update")
    conn.execute("UPDATE ledger SET body = replace(body, 'granted', 'withdrawn') WHERE id = ?", (target.id,))
    booth.lock()
    v = cb("verify-ledger", "--vault", str(vault))
    assert v.returncode == 1
    assert target.id in v.stderr and "FAILED" in v.stderr


def test_passwd_backup_restore(vault: Path, tmp_path: Path) -> None:
    lead_id = json.loads(capture(vault, tmp_path, {"fields": ZH_LEAD, "purposes": ["sales_contact"]}).stdout)["lead_id"]
    new = "Brand-New-Passphrase-9"
    p = cb("passwd", "--vault", str(vault), CONSENTBOOTH_NEW_PASSPHRASE=new)
    assert p.returncode == 0, p.stderr
    assert cb("leads", "--vault", str(vault)).returncode != 0
    assert lead_id in cb("leads", "--vault", str(vault), passphrase=new).stdout
    backup = tmp_path / "b.cbvault"
    assert cb("backup", "--vault", str(vault), "--to", str(backup), passphrase=new).returncode == 0
    restored = tmp_path / "r.cbvault"
    r = cb("restore", "--from", str(backup), "--vault", str(restored), passphrase=new)
    assert r.returncode == 0, r.stderr
    assert lead_id in cb("leads", "--vault", str(restored), passphrase=new).stdout
