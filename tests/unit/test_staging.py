"""Temp files that are ours alone (issue #10): random names, 0600 before any byte, removed only
by their owner or, after the owner died, by the sweep, and never a user's file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from consentbooth.core import staging
from consentbooth.core.errors import WrongPassphrase
from consentbooth.core.files import atomic_writer
from consentbooth.core.i18n import _catalogue
from consentbooth.core.staging import StagedFile
from consentbooth.domain import passphrase as validation
from consentbooth.services.booth import Booth
from consentbooth.vault.locking import VaultLock
from consentbooth.vault.store import open_vault
from tests.helpers import zh_request
from tests.holder import ROOT


def test_staged_file_is_private_random_and_registered(tmp_path: Path) -> None:
    old = os.umask(0)  # a careless umask cannot widen it
    try:
        a, b = StagedFile(tmp_path / "x.csv"), StagedFile(tmp_path / "x.csv")
    finally:
        os.umask(old)
    assert a.path != b.path and a.path.name.startswith(".x.csv.") and a.path.suffix == ".cbtmp"
    assert stat.S_IMODE(a.path.stat().st_mode) == 0o600 and a.path.stat().st_size == 0
    assert staging.sweep() == 0  # owners alive: nothing removed
    assert a.path.exists() and b.path.exists()
    os.write(a.fd, b"data")
    a.commit()
    b.discard()
    assert (tmp_path / "x.csv").read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


_DIES = """
import os, sys
from pathlib import Path
from consentbooth.core.staging import StagedFile
staged = StagedFile(Path(sys.argv[1]))
os.write(staged.fd, b"PERSONAL DATA")
print(staged.path, flush=True)
os._exit(0)  # dies without cleaning up (as kill -9 would)
"""


def test_sweep_removes_a_dead_owners_file_and_never_a_lookalike(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _DIES, str(tmp_path / "booth.cbvault")], capture_output=True,
        text=True, check=True, cwd=ROOT,
    )
    leftover = Path(out.stdout.strip())
    assert leftover.read_bytes() == b"PERSONAL DATA"
    # a user's file with exactly that name (but another inode), and files named like the vault
    lookalikes = [tmp_path / "booth.cbvault.notes.cbtmp.txt", tmp_path / "booth.cbvaultX",
                  tmp_path / "booth.cbvault.rekey.cbtmp"]
    for path in lookalikes:
        path.write_text("mine")
    assert staging.sweep() == 1
    assert not leftover.exists()
    assert all(p.read_text() == "mine" for p in lookalikes)
    # the same name again, now a user's file: its record is gone, so it stays
    leftover.write_text("mine too")
    assert staging.sweep() == 0 and leftover.exists()


def test_a_record_whose_file_was_replaced_by_a_user_file_removes_nothing(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _DIES, str(tmp_path / "t.csv")], capture_output=True, text=True,
        check=True, cwd=ROOT,
    )
    staged_name = Path(out.stdout.strip())
    user_file = tmp_path / "user.txt"
    user_file.write_text("a user's file, another inode")
    os.replace(user_file, staged_name)  # the very same (random) name, another file
    assert staging.sweep() == 0
    assert staged_name.read_text() == "a user's file, another inode"


def test_every_command_spares_files_named_like_the_vault(tmp_path: Path, passphrase: str) -> None:
    vault = tmp_path / "booth.cbvault"
    mine = [tmp_path / "booth.cbvault.notes.cbtmp.txt", tmp_path / "booth.cbvaultX",
            tmp_path / "booth.cbvault.new.cbtmp", tmp_path / ".booth.cbvault.1234.cbtmp"]
    for path in mine:
        path.write_text("user data")
    booth = Booth.create(vault, passphrase, demo=True)
    booth.capture(zh_request())
    booth.backup(tmp_path / "booth.cbvault.bak", passphrase)
    booth.change_passphrase(passphrase, "Brand-New-Passphrase-9")
    booth.lock()
    Booth.unlock(vault, "Brand-New-Passphrase-9").lock()
    assert all(p.read_text() == "user data" for p in mine)
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".cbtmp" and p not in mine]


def test_another_processes_staged_copy_survives_an_open(tmp_path: Path, passphrase: str) -> None:
    vault = tmp_path / "booth.cbvault"
    Booth.create(vault, passphrase, demo=True).lock()
    with StagedFile(vault) as staged:  # e.g. a backup in progress elsewhere
        os.write(staged.fd, b"copy in progress")
        open_vault(vault, passphrase).close()
        assert staged.path.read_bytes() == b"copy in progress"


def test_atomic_writer_leaves_nothing_named_while_writing(tmp_path: Path) -> None:
    with atomic_writer(tmp_path / "out.csv") as f:
        f.write(b"half")
        listing = os.listdir(tmp_path)
    assert listing == [] or all(name.endswith(".cbtmp") for name in listing)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o600


def test_log_files_are_private(run_dir: Path) -> None:
    from consentbooth.core.logging import get_logger

    get_logger("test").warning("a line")
    logs = list((run_dir / "logs").iterdir())
    assert logs and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in logs)
    assert stat.S_IMODE((run_dir / "logs").stat().st_mode) == 0o700


# -- passphrases: NFC keying, zxcvbn --------------------------------------------------------

PLAIN = "Café-Crème-Brûlée-42"
NFD = unicodedata.normalize("NFD", PLAIN)


def test_a_passphrase_typed_in_nfd_opens_a_vault_made_in_nfc(tmp_path: Path) -> None:
    assert NFD != PLAIN
    vault = tmp_path / "v.cbvault"
    Booth.create(vault, PLAIN, demo=True).lock()
    Booth.unlock(vault, NFD).lock()
    Booth.create(tmp_path / "w.cbvault", NFD, demo=True).lock()
    Booth.unlock(tmp_path / "w.cbvault", PLAIN).lock()


def _old_style_vault(path: Path, key: str) -> None:
    """A vault keyed with the raw (NFD) form, as versions before NFC keying wrote it."""
    Booth.create(path, PLAIN, demo=True).lock()
    vault = open_vault(path, PLAIN)
    vault._rekey(PLAIN, key)
    vault.close()


def _opens_with_key(path: Path, key: str) -> bool:
    from consentbooth.vault.connection import _probe_key_forms

    try:
        return _probe_key_forms(path, [key]) == key
    except WrongPassphrase:
        return False


def test_an_old_vault_keyed_in_nfd_opens_and_is_rekeyed_to_nfc(tmp_path: Path) -> None:
    vault = tmp_path / "old.cbvault"
    _old_style_vault(vault, NFD)
    assert _opens_with_key(vault, NFD) and not _opens_with_key(vault, PLAIN)
    booth = Booth.unlock(vault, PLAIN)  # typed in NFC today
    booth.capture(zh_request())
    booth.lock()
    assert _opens_with_key(vault, PLAIN) and not _opens_with_key(vault, NFD)
    assert Booth.unlock(vault, NFD).count() == 1


def test_an_old_nfd_vault_open_elsewhere_still_opens_and_keeps_its_key(
    tmp_path: Path,
) -> None:
    vault = tmp_path / "old.cbvault"
    _old_style_vault(vault, NFD)
    other = VaultLock.shared(vault)  # another open (it only needs to hold the shared lock)
    try:
        Booth.unlock(vault, PLAIN).lock()  # accepted; re-keying waits for a moment alone
        assert _opens_with_key(vault, NFD) and not _opens_with_key(vault, PLAIN)
    finally:
        other.release()
    Booth.unlock(vault, PLAIN).lock()
    assert _opens_with_key(vault, PLAIN)


@pytest.mark.parametrize(
    "weak", ["password12345!", "aaaaaaaaaaaaaaaaaaaa", "qwertyuiop12", "abcdefghijk1",
             "consentbooth2024", "1990-01-01xx", "short"]
)
def test_weak_passphrases_get_a_translated_sentence(weak: str) -> None:
    problem = validation.passphrase_problem(weak)
    assert problem is not None
    zh = _catalogue("zh-CN").get(problem)
    assert zh, problem
    pattern = validation.passphrase_pattern(weak)
    assert pattern in weak
    assert "{pattern}" not in zh.format(pattern=pattern)


def test_strong_passphrases_pass() -> None:
    for strong in ("Correct-Horse-42!", "a long sentence of plain words", "展会密码很安全的一句话",
                   PLAIN, NFD):
        assert validation.passphrase_problem(strong) is None, strong


def test_every_strength_sentence_is_translated() -> None:
    catalogue = _catalogue("zh-CN")
    for sentence in {*validation._WEAK_PART.values(), validation._TOO_GUESSABLE}:
        assert catalogue.get(sentence), sentence


def test_owner_record_is_readable_json_with_the_magic(tmp_path: Path) -> None:
    with StagedFile(tmp_path / "y") as staged:
        records = list((Path(os.environ["CONSENTBOOTH_DATA_DIR"]) / "staging").glob("*.owner"))
        data = [json.loads(r.read_text()) for r in records]
        mine = [d for d in data if d["path"] == str(staged.path)]
        assert mine and mine[0]["magic"] == staging.MAGIC and "ino" in mine[0]
