"""A file named like the vault plus a suffix survives every command (issue #10): the app removes
only files it made itself, never by a name pattern."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import cb
from tests.helpers import ZH_LEAD

NEW = "Second-Passphrase-77"


def test_every_command_spares_files_named_like_the_vault(tmp_path: Path) -> None:
    vault = tmp_path / "booth.cbvault"
    lookalikes = {
        tmp_path / "booth.cbvault.notes.cbtmp.txt": b"notes",
        tmp_path / "booth.cbvaultX": b"x",
        tmp_path / "booth.cbvault.rekey.cbtmp": b"rekey?",
        tmp_path / "booth.cbvault.new.cbtmp": b"new?",
        tmp_path / ".booth.cbvault.0123456789abcdef0123456789abcdef.cbtmp": b"looks staged",
        tmp_path / "booth.cbvault-wal.txt": b"wal?",
        tmp_path / "out.csv.part": b"part",
    }
    for path, data in lookalikes.items():
        path.write_bytes(data)
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"fields": ZH_LEAD, "purposes": ["sales_contact", "newsletter"]},
                               ensure_ascii=False), encoding="utf-8")
    v = ("--vault", str(vault))
    steps = [
        ("init", *v, "--demo"),
        ("capture", *v, "--input", str(lead), "--no-certificate"),
        ("capture", *v, "--input", str(lead), "--no-certificate"),
        ("leads", *v, "--json"),
        ("verify-ledger", *v),
        ("export", *v, "--purpose", "sales_contact", "--format", "csv", "--out", str(tmp_path / "out.csv")),
        ("export", *v, "--purpose", "sales_contact", "--format", "xlsx", "--out", str(tmp_path / "out.xlsx")),
        ("backup", *v, "--to", str(tmp_path / "booth.cbvault.bak")),
        ("purge", *v),
        ("sharing-log", *v),
    ]
    for step in steps:
        out = cb(*step)
        assert out.returncode == 0, (step, out.stderr)
    first = json.loads(cb("leads", *v, "--json").stdout)[0]["id"]
    for step in [("show", *v, "--lead", first),
                 ("withdraw", *v, "--lead", first, "--purpose", "newsletter"),
                 ("erase", *v, "--lead", first),
                 ("suppression", *v, "--out", str(tmp_path / "sup.csv"))]:
        out = cb(*step)
        assert out.returncode == 0, (step, out.stderr)
    assert cb("passwd", *v, CONSENTBOOTH_NEW_PASSPHRASE=NEW).returncode == 0
    out = cb("restore", "--from", str(tmp_path / "booth.cbvault.bak"), *v, "--force", passphrase="Correct-Horse-42!")
    assert out.returncode == 0, out.stderr
    assert cb("leads", *v).returncode == 0
    for path, data in lookalikes.items():
        assert path.read_bytes() == data, path.name
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".cbtmp" and p not in lookalikes]
