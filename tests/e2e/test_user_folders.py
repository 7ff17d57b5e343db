"""Per-user folders as installs meet them: missing, unwritable, or under a long Chinese user name.

No CONSENTBOOTH_*_DIR overrides here: the real platformdirs locations under HOME, as the frozen
app uses them (tests/package/test_frozen.py runs the same cases on the build).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PASS = "Correct-Horse-42!"
ROOT = Path(__file__).resolve().parents[2]


def run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("CONSENTBOOTH_", "XDG_")) and k != "HOME"}
    clean.update(HOME=str(home), CONSENTBOOTH_PASSPHRASE=PASS, **env)
    return subprocess.run([sys.executable, "-m", "consentbooth", *args], capture_output=True,
                          text=True, env=clean, cwd=ROOT, timeout=120)


def test_a_long_chinese_home_and_missing_folders_simply_work(tmp_path: Path) -> None:
    home = tmp_path / ("张伟" + "很长的用户名-" * 12)  # one 228-byte path component
    home.mkdir()
    made = run(home, "init", "--demo")
    assert made.returncode == 0, made.stderr
    vault = Path(json.loads(made.stdout)["vault"])
    assert vault == home / ".local/share/ConsentBooth/booth.cbvault" and vault.is_file()
    assert (vault.parent.stat().st_mode & 0o777) == 0o700
    lead = home / "线索.json"
    lead.write_text(json.dumps({"fields": {"name": "张伟", "phone": "138 0013 8000"},
                                "purposes": ["sales_contact"]}, ensure_ascii=False), encoding="utf-8")
    captured = run(home, "capture", "--input", str(lead), "--no-certificate")
    assert captured.returncode == 0, captured.stderr
    listed = run(home, "leads", "--json")
    assert [row["name"] for row in json.loads(listed.stdout)] == ["张伟"]
    log = home / ".local/state/ConsentBooth/log/consentbooth.log"
    assert log.is_file() and "张伟" not in log.read_text(encoding="utf-8")


def test_folders_that_cannot_be_made_give_one_sentence(tmp_path: Path) -> None:
    """A file where the per-user folders belong (no permission trick: root would pass those)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".local").write_text("not a folder", encoding="utf-8")
    result = run(home, "init", "--demo")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Error: Could not write ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert (home / ".local").read_text(encoding="utf-8") == "not a folder"


def test_an_unwritable_log_folder_does_not_stop_the_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".local" / "state").mkdir(parents=True)
    (home / ".local" / "state" / "ConsentBooth").write_text("", encoding="utf-8")  # no log folder possible
    result = run(home, "init", "--demo")
    assert result.returncode == 0 and result.stderr == "", result.stderr
