"""The export commands as ops script them: presets by name or file, the rejects file, the presets
command (list, copy, check), and progress with a total and a rate for export, suppression, bundle
and merge: plain lines when stderr is redirected (no carriage return in a log), a bar on a
terminal."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from consentbooth.services.booth import Booth, CaptureRequest
from tests.e2e.conftest import PASS, cb

LEADS = 1200


@pytest.fixture
def full_vault(tmp_path: Path) -> Path:
    path = tmp_path / "booth.cbvault"
    booth = Booth.create(path, PASS, demo=True)
    booth.capture_batch([
        CaptureRequest(fields={"name": "测试" + chr(0x4E00 + i), "phone": f"138{i:08d}",
                               **({"email": f"p{i}@example.cn"} if i % 100 else {})},
                       purposes=["sales_contact", "newsletter"] if i % 100 else ["sales_contact"])
        for i in range(LEADS)
    ])
    booth.capture(CaptureRequest(fields={"name": "-Anna-", "phone": "+4915112345678", "email": "-anna@example.com"},
                                 purposes=["sales_contact"]))
    booth.lock()
    return path


def _lines(stderr: str, label: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(label + ":")]


def test_export_with_a_preset_prints_progress_lines_and_lists_rejects(full_vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "hubspot.csv"
    r = cb("export", "--vault", str(full_vault), "--purpose", "sales_contact", "--preset", "hubspot",
           "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr
    lines = _lines(r.stderr, "export")
    assert lines[0] == f"export: 0 / {LEADS + 1:,} rows (0%)"
    assert re.fullmatch(rf"export: {LEADS + 1:,} / {LEADS + 1:,} rows \(100%\), [\d,]+ rows/s", lines[-1])
    result = json.loads(r.stdout)
    assert result["rows"] == LEADS + 1 - 12 and result["rejected"] == 12  # 12 leads without email
    assert result["rejects_file"] == str(tmp_path / "hubspot.rejects.csv")
    assert "12 leads were not exported" in r.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    anna = next(row for row in rows if row["Email"] == "-anna@example.com")
    assert (anna["Last Name"], anna["Mobile Phone Number"]) == ("-Anna-", "+4915112345678")
    assert rows[0]["Mobile Phone Number"].startswith("+86138")


def test_presets_copy_edit_use_and_check(full_vault: Path, tmp_path: Path) -> None:
    listed = json.loads(cb("presets", passphrase=None).stdout)
    assert [p["name"] for p in listed] == ["generic", "salesforce", "salesforce-dataloader", "hubspot",
                                          "salesforce-optout", "salesforce-dataloader-optout", "hubspot-optout"]
    mine = tmp_path / "mine.toml"
    copied = cb("presets", "--copy", "salesforce-dataloader", "--out", str(mine), passphrase=None)
    assert copied.returncode == 0, copied.stderr
    again = cb("presets", "--copy", "salesforce-dataloader", "--out", str(mine), passphrase=None)
    assert again.returncode == 2 and "already exists" in again.stderr
    mine.write_text(mine.read_text(encoding="utf-8").replace('value = "Trade Show"', 'value = "CIIF 2026"'),
                    encoding="utf-8")
    assert json.loads(cb("presets", "--check", str(mine), passphrase=None).stdout)["ok"] is True
    out = tmp_path / "dl.csv"
    r = cb("export", "--vault", str(full_vault), "--purpose", "sales_contact", "--preset", str(mine), "--out", str(out))
    assert r.returncode == 0, r.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        first = next(csv.DictReader(f))
    assert first["LeadSource"] == "CIIF 2026"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", first["ConsentBooth_Consent_Time__c"])
    broken = tmp_path / "broken.toml"
    broken.write_text(mine.read_text(encoding="utf-8").replace('source = "email"', 'source = "emial"', 1),
                      encoding="utf-8")
    syntax = tmp_path / "syntax.toml"
    syntax.write_text(mine.read_text(encoding="utf-8").replace('overflow = "reject"', 'overflow = "drop"'),
                      encoding="utf-8")
    bad = cb("presets", "--check", str(syntax), passphrase=None)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert re.fullmatch(r"Error: Preset file syntax\.toml, line \d+: “overflow” must be one of: truncate, reject\.\n",
                        bad.stderr)
    # which fields exist depends on the vault (its events' questions): the export checks those
    bad = cb("export", "--vault", str(full_vault), "--purpose", "sales_contact", "--preset", str(broken),
             "--out", str(tmp_path / "no.csv"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert re.match(r"Error: Preset file broken\.toml, line \d+: “emial” is not something an exported row holds",
                    bad.stderr)
    assert not (tmp_path / "no.csv").exists()


def test_suppression_bundle_and_merge_progress(full_vault: Path, tmp_path: Path) -> None:
    booth = Booth.unlock(full_vault, PASS)
    withdrawn = [lead for lead in booth.search("测试")[:5]]
    for lead in withdrawn:
        booth.withdraw(lead_id=lead.id, purposes=["sales_contact", "newsletter"])
    booth.lock()
    s = cb(
        "suppression", "--vault", str(full_vault), "--preset", "salesforce-optout", "--out", str(tmp_path / "sf.csv")
    )
    assert s.returncode == 0, s.stderr
    assert _lines(s.stderr, "suppression")[-1].startswith("suppression: 5 / 5 people (100%)")
    assert json.loads(s.stdout)["rows"] == 5
    key = tmp_path / "ops.key"
    public = cb("keygen-ops", "--out", str(key), passphrase=None).stdout.strip()
    bundle = tmp_path / "laptop-a.cbbundle"
    b = cb("bundle", "--vault", str(full_vault), "--recipient", public, "--out", str(bundle))
    assert b.returncode == 0, b.stderr
    total = f"{LEADS + 1:,}"
    assert _lines(b.stderr, "bundle")[-1].startswith(f"bundle: {total} / {total} leads (100%)")
    hub = tmp_path / "hub.cbvault"
    refused = json.loads(cb("merge", "--hub", str(hub), "--identity", str(key), str(bundle)).stdout)[0]
    m = cb("merge", "--hub", str(hub), "--identity", str(key), "--approve-device", refused["fingerprint"], str(bundle))
    assert m.returncode == 0, m.stderr
    lines = _lines(m.stderr, "merge")
    assert lines[0] == f"merge: 0 / {total} leads (0%)"  # leads, not table rows
    assert lines[-1].startswith(f"merge: {total} / {total} leads (100%)")
    assert "\r" not in s.stderr + b.stderr + m.stderr


def test_a_terminal_gets_a_bar(full_vault: Path, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # a terminal's size
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTBOOTH_PASS")}
    env.update(CONSENTBOOTH_PASSPHRASE=PASS, COLUMNS="120")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "consentbooth",
            "export",
            "--vault",
            str(full_vault),
            "--purpose",
            "sales_contact",
            "--out",
            str(tmp_path / "x.csv"),
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        timeout=120,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert done.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "export" in text and f"{LEADS + 1}/{LEADS + 1}" in text and "rows/s" in text  # tqdm's bar
