"""The console opens a PostgreSQL hub as it opens a hub vault: ops mode (search, a person's record
and timeline, withdraw, erase, exports, merge with a result per bundle), no booth floor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from consentbooth.core import i18n
from consentbooth.core.config import Config
from consentbooth.services.hubs import HubKey, init_postgres_hub, open_ops_hub
from tests.hub import world as worlds
from tests.hub.conftest import PASS, HubDatabase


@pytest.fixture
def hub_shell(hub_db: HubDatabase, qapp, qtbot, tmp_path: Path):
    from consentbooth.exports.bundle import write_identity_file
    from consentbooth.ui.app import application
    from consentbooth.ui.session import TeamHub
    from consentbooth.ui.shell import Shell

    init_postgres_hub(hub_db.admin_url, key=HubKey(passphrase=PASS), organisation_name="Example")
    url = hub_db.ops_url()
    pg = open_ops_hub(url, key=HubKey(passphrase=PASS))
    try:
        world = worlds.build(tmp_path, pg, laptops=2, leads=12, certificates=0, second_bundle=False)
        assert all(r.ok for r in pg.merge_files(paths=world.bundles()[:1], identity_text=world.ops_secret))
    finally:
        pg.lock()
    key_file = tmp_path / "ops.key"
    write_identity_file(path=key_file, secret=world.ops_secret)
    application()
    i18n.set_language("zh-CN")
    shell = Shell(vault_path=tmp_path / "no-such.cbvault", config=Config(tmp_path / "settings.json"),
                  kiosk_fullscreen=False)
    qtbot.addWidget(shell.window)
    shell.session.hub = TeamHub(url=url)  # as "Open a team hub (PostgreSQL)…" leaves it
    shell.window.unlock_page.refresh()
    shell.start()
    yield shell, world, key_file
    shell.shutdown()


def test_the_console_works_a_postgresql_hub_in_ops_mode(hub_shell, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    from tests.gui.gui_helpers import click, idle, type_text, unlock

    shell, world, key_file = hub_shell
    assert shell.window.unlock_page.vault_label.text().endswith(shell.session.location)
    assert "?" not in shell.session.location  # the URL's query (the CA path) is not shown
    unlock(shell, qtbot, PASS)
    console = shell.window.console
    assert shell.session.is_team_hub
    assert shell.wizard is None  # no booth setup to finish on a hub
    assert console.kiosk_button.isHidden() and console.capture_button.isHidden() and console.duty_button.isHidden()
    assert not console.tabs.isTabVisible(1)  # no dashboard of the booth floor
    assert not console.tools.actions["bundle"].isVisible() and console.tools.actions["export"].isVisible()
    qtbot.waitUntil(lambda: console.model.total == 12, timeout=15_000)

    # search (blind index: an exact email) and the person's record with its timeline
    laptop = world.laptops[0]
    type_text(qtbot, console.search, "l0.p4@example.cn")
    qtbot.waitUntil(lambda: console.model.rowCount() == 1, timeout=15_000)
    lead = laptop.leads[4]
    assert console.select_lead(lead)
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None, timeout=15_000)
    assert detail.record.lead.fields["email"] == "l0.p4@example.cn"
    assert len(detail.findChildren(QLabel, "timelineItem")) >= 1

    # withdraw and erase through the same operations the dialogs run
    from consentbooth.ui import operations

    granted = detail.record.granted()
    assert granted
    done = []
    shell.session.run(operations.withdraw(lead_id=lead, purposes=[granted[0]], channel="email",
                                          request_date=None, operator=None, note=""), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=15_000)
    idle(shell, qtbot)
    assert granted[0] not in shell.session.booth.record(lead).granted()
    done.clear()
    shell.session.run(operations.erase(lead_id=laptop.leads[5], operator=None), done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=15_000)
    assert shell.session.booth.record(laptop.leads[5]).lead.erased_at is not None

    # merge with a result per bundle: laptop 1's bundle merged, a missing file refused
    merge = console.tools.open("merge")
    type_text(qtbot, merge.files, str(world.laptops[1].bundles[0]))
    from PySide6.QtCore import Qt

    qtbot.keyClick(merge.files, Qt.Key.Key_Return)
    type_text(qtbot, merge.files, str(key_file.with_name("missing.age")))
    type_text(qtbot, merge.identity.edit, str(key_file))
    click(qtbot, merge, "mergeRun")
    qtbot.waitUntil(lambda: not merge.running and merge.table.rowCount() == 2, timeout=30_000)
    good, missing = merge.result_rows()
    assert good[1] == "已合并" and good[2] == "12" and missing[1] == "已拒绝"
    idle(shell, qtbot)
    assert shell.session.booth.count() == 24
    console.search.setText("")
    qtbot.waitUntil(lambda: console.model.total == 24, timeout=15_000)  # the table refreshed by itself

    # the lock forgets the hub's data like a vault's
    shell.session.lock("manual")
    assert not shell.session.is_unlocked and console.model.rowCount() == 0
