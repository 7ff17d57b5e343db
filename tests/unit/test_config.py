"""Settings: a hand-edited settings.json never crashes the app; old files are migrated on load."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from consentbooth.core.config import (
    ALL_VARS,
    AUTOLOCK_MINUTES,
    CONFIG_VERSION,
    KIOSK_RESET_SECONDS,
    LAST_VAULT,
    UI_LANGUAGE,
    Config,
)


def _write(path: Path, values: object, version: object = CONFIG_VERSION) -> Path:
    path.write_text(json.dumps({"version": version, "values": values}), encoding="utf-8")
    return path


def test_every_number_has_bounds() -> None:
    for var in ALL_VARS:
        if var.type is int:
            assert var.minimum is not None and var.maximum is not None, var.key
            assert var.minimum <= var.default <= var.maximum, var.key


@pytest.mark.parametrize(
    "stored,autolock,reset",
    [
        (0, 1, 5),  # below the minimum: clamped up
        (-7, 1, 5),
        (10**9, 120, 300),  # above the maximum: clamped down
        ("abc", 5, 20),  # wrong type: the default
        ("10", 5, 20),
        (2.5, 5, 20),
        (True, 5, 20),  # a bool is not a number of minutes
        (None, 5, 20),
        ([3], 5, 20),
        ({"minutes": 3}, 5, 20),
        (45, 45, 45),  # within bounds: as stored
    ],
)
def test_numbers_are_clamped_where_they_are_read(tmp_path: Path, stored: object, autolock: int, reset: int) -> None:
    path = _write(tmp_path / "settings.json", {"autolock_minutes": stored, "kiosk_thank_you_seconds": stored})
    config = Config(path)
    assert config.get(AUTOLOCK_MINUTES) == autolock
    assert config.get(KIOSK_RESET_SECONDS) == reset


def test_wrong_types_are_ignored_per_key_with_a_log_line_and_no_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret_path = "/home/zhang.wei/Desktop/客户名单.cbvault"
    path = _write(tmp_path / "settings.json", {
        "autolock_minutes": "abc", "ui_language": "klingon", "last_vault": 42,
        "kiosk_thank_you_seconds": 30, "from_a_newer_version": {"x": 1},
    })
    with caplog.at_level(logging.WARNING, logger="consentbooth"):
        config = Config(path)
    assert config.get(AUTOLOCK_MINUTES) == 5 and config.get(UI_LANGUAGE) == "zh-CN"
    assert config.get(LAST_VAULT) == "" and config.get(KIOSK_RESET_SECONDS) == 30
    logged = [r.getMessage() for r in caplog.records]
    assert any("autolock_minutes" in m and "not int" in m for m in logged), logged
    assert any("ui_language" in m for m in logged) and any("last_vault" in m for m in logged)
    assert not any("kiosk_thank_you_seconds" in m for m in logged)
    assert not any("abc" in m or "klingon" in m or "42" in m for m in logged)
    config.set(LAST_VAULT, secret_path)
    assert config.get(LAST_VAULT) == secret_path
    with caplog.at_level(logging.DEBUG, logger="consentbooth"):
        Config(path).get(LAST_VAULT)
    assert not any("zhang" in r.getMessage() for r in caplog.records)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["values"]["from_a_newer_version"] == {"x": 1}  # kept for the version that knows it


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[1, 2]", '{"values": [1]}', '{"version": "x", "values": {}}', "{" * 100_000,
     '"just a string"', '{"version": 2, "values": null}'],
)
def test_an_unreadable_file_gives_the_defaults(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8")
    config = Config(path)
    assert [config.get(v) for v in ALL_VARS] == [v.default for v in ALL_VARS]
    config.set(AUTOLOCK_MINUTES, 7)  # and it can be written again
    assert Config(path).get(AUTOLOCK_MINUTES) == 7


def test_a_version_1_file_is_migrated_on_load_and_saved_as_version_2(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "values": {
        "autolock_minutes": 9, "ui_language": "en", "kiosk_reset_seconds": 45,
    }}, indent=2), encoding="utf-8")
    config = Config(path)
    assert config.get(KIOSK_RESET_SECONDS) == 45  # read under its v2 key
    assert config.get(AUTOLOCK_MINUTES) == 9 and config.get(UI_LANGUAGE) == "en"
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1  # loading writes nothing
    config.set(AUTOLOCK_MINUTES, 10)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved == {"version": 2, "values": {
        "autolock_minutes": 10, "ui_language": "en", "kiosk_thank_you_seconds": 45,
    }}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert Config(path).get(KIOSK_RESET_SECONDS) == 45


def test_a_file_without_a_version_is_version_1_and_a_newer_one_is_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"values": {"kiosk_reset_seconds": 60}}), encoding="utf-8")
    assert Config(path).get(KIOSK_RESET_SECONDS) == 60
    _write(path, {"kiosk_thank_you_seconds": 70, "kiosk_reset_seconds": 10}, version=9)
    assert Config(path).get(KIOSK_RESET_SECONDS) == 70


def test_set_keeps_bounds_and_refuses_a_wrong_type(tmp_path: Path) -> None:
    config = Config(tmp_path / "settings.json")
    config.set(AUTOLOCK_MINUTES, 100_000)
    assert Config(config.path).get(AUTOLOCK_MINUTES) == 120
    with pytest.raises(TypeError):
        config.set(AUTOLOCK_MINUTES, "5")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        config.set(AUTOLOCK_MINUTES, True)
