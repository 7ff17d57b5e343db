"""GUI test fixtures: a real demo vault on disk, the real shell, offscreen Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from consentbooth.core import i18n
from consentbooth.core.config import Config

PASSPHRASE = "Correct-Horse-42!"


@pytest.fixture(scope="session")
def qapp_cls():
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture(scope="session")
def styled_app(qapp):
    from consentbooth.ui.app import application

    application()
    return qapp


@pytest.fixture
def demo_vault(tmp_path: Path) -> Path:
    from consentbooth.services import Booth

    path = tmp_path / "booth.cbvault"
    Booth.create(path, PASSPHRASE, demo=True).lock()
    return path


@pytest.fixture
def make_shell(styled_app, qtbot, tmp_path: Path):
    from consentbooth.ui.shell import Shell

    shells = []

    def make(vault_path: Path, **kwargs):
        i18n.set_language("zh-CN")
        config = Config(tmp_path / "settings.json")
        shell = Shell(vault_path=vault_path, config=config, kiosk_fullscreen=False, **kwargs)
        shells.append(shell)
        qtbot.addWidget(shell.window)
        return shell

    yield make
    for shell in shells:
        shell.shutdown()
        if shell.kiosk is not None:
            shell.kiosk.force_close()
    i18n.set_language("zh-CN")


@pytest.fixture
def unlocked(make_shell, demo_vault, qtbot):
    """A shell whose vault is unlocked through the real unlock screen."""
    from tests.gui.gui_helpers import unlock

    shell = make_shell(demo_vault)
    shell.start()
    unlock(shell, qtbot)
    return shell


LEADS = (
    {"name": "王芳", "company": "北京样本智能", "phone": "13800000001", "email": "wang.fang@example.cn"},
    {"name": "Anna Schmidt", "company": "Acme GmbH", "phone": "+49 30 12345678", "email": "anna@acme.example"},
    {"name": "李雷", "company": "深圳演示电子", "phone": "13900000002", "email": "li.lei@example.cn"},
)
PERSONAL = [v for lead in LEADS for v in lead.values()] + ["+8613800000001", "+493012345678"]


@pytest.fixture
def vault_with_leads(tmp_path: Path) -> tuple[Path, list[str]]:
    from consentbooth.services import Booth, CaptureRequest

    path = tmp_path / "leads.cbvault"
    booth = Booth.create(path, PASSPHRASE, demo=True)
    ids = []
    for i, fields in enumerate(LEADS):
        purposes = ["sales_contact", "newsletter"] if i != 1 else ["product_info"]
        result = booth.capture(CaptureRequest(fields=fields, purposes=purposes, operator="WF"))
        ids.append(result.lead_id)
    booth.lock()
    return path, ids


@pytest.fixture
def console_shell(make_shell, vault_with_leads, qtbot):
    from tests.gui.gui_helpers import unlock

    path, ids = vault_with_leads
    shell = make_shell(path)
    shell.start()
    unlock(shell, qtbot)
    return shell, ids
