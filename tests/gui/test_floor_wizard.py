"""Issue 11's first run (and issue 9's enrolment choice): the wizard speaks either language, closes
on "Publish and start" and opens the console; a laptop either is the organisation (one click) or
joins it with the enrolment file and code ops gave.

Real wizard, real vaults: the enrolment file is made by an organisation vault in the test.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QLabel, QLineEdit, QWizard

from consentbooth.services import Booth
from tests.gui.gui_helpers import PASSPHRASE, click, find, type_text

ORG_PASSPHRASE = "Another-Horse-77!"


def next_page(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def open_dialogs() -> list[str]:
    return [type(w).__name__ for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def fill_after_welcome(qtbot, wizard, *, org_name: str | None = "Lakeside Optics Ltd.") -> None:
    """Vault, organisation, event, purposes, notice, staff: the fewest fields that complete them."""
    assert wizard.currentPage() is wizard.vault_page
    type_text(qtbot, find(wizard, QLineEdit, "newPassphrase"), PASSPHRASE)
    type_text(qtbot, find(wizard, QLineEdit, "repeatPassphrase"), PASSPHRASE)
    next_page(qtbot, wizard)
    if org_name is not None:
        type_text(qtbot, find(wizard, QLineEdit, "orgName"), org_name)
    type_text(qtbot, find(wizard, QLineEdit, "orgAddress"), "1 Lake Road, Hangzhou")
    type_text(qtbot, find(wizard, QLineEdit, "orgEmail"), "privacy@lakeside.example")
    type_text(qtbot, find(wizard, QLineEdit, "orgRights"), "DPO, privacy@lakeside.example")
    next_page(qtbot, wizard)
    type_text(qtbot, find(wizard, QLineEdit, "eventName"), "Photonics Expo 2026")
    type_text(qtbot, find(wizard, QLineEdit, "eventPlace"), "Hangzhou")
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)  # the standard purposes
    assert wizard.currentPage() is wizard.notice_page
    next_page(qtbot, wizard)  # the notice from the template
    type_text(qtbot, find(wizard, QLineEdit, "staffName0"), "Chen Jing")
    type_text(qtbot, find(wizard, QLineEdit, "staffInitials0"), "CJ")
    type_text(qtbot, find(wizard, QLineEdit, "staffPin"), "9753")
    type_text(qtbot, find(wizard, QLineEdit, "staffPinRepeat"), "9753")


def publish(qtbot, shell, wizard) -> None:
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.session.is_unlocked, timeout=30_000)
    qtbot.waitUntil(lambda: shell.wizard is None, timeout=5_000)
    qtbot.waitUntil(lambda: shell.window.console.model.loads >= 1, timeout=10_000)


def test_a_first_run_in_english_closes_the_wizard_and_opens_the_console(make_shell, tmp_path, qtbot):
    shell = make_shell(tmp_path / "first.cbvault")
    shell.start()
    wizard = shell.wizard
    assert wizard.windowTitle() != "Set up ConsentBooth"  # Chinese first
    assert wizard.currentPage().title() == "欢迎使用 ConsentBooth"
    # the later pages are built once the first is on screen, a page a turn: all of them soon
    qtbot.waitUntil(lambda: len(wizard.pageIds()) == 7)
    assert find(wizard, QCheckBox, "offer_sales_contact").parent().findChildren(QLabel)[0].text().startswith("我们")
    click(qtbot, wizard, "lang_en")  # the switch sits beside the wizard's buttons
    assert wizard.windowTitle() == "Set up ConsentBooth"
    assert wizard.currentPage().title() == "Welcome to ConsentBooth"
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Next"
    assert find(wizard, QCheckBox, "offer_sales_contact").parent().findChildren(QLabel)[0].text().startswith("Our")
    next_page(qtbot, wizard)
    assert wizard.currentPage().title() == "Protect the booth's data"
    fill_after_welcome(qtbot, wizard)
    # a refusal on the staff page, then the language switched back: said again in Chinese
    find(wizard, QLineEdit, "staffPinRepeat").setText("9999")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    error = find(wizard, QLabel, "staffError")
    assert error.isVisible() and error.text() == "The two PINs differ; please type them again."
    click(qtbot, wizard, "lang_zh-CN")
    assert error.text() != "The two PINs differ; please type them again." and "PIN" in error.text()
    assert wizard.currentPage().title() == "展位工作人员"
    click(qtbot, wizard, "lang_en")
    find(wizard, QLineEdit, "staffPinRepeat").setText("9753")
    publish(qtbot, shell, wizard)
    # closed: the wizard is gone, no dialog remains, the console is on screen, in English
    assert shell.wizard is None and open_dialogs() == []
    assert shell.window.isVisible() and shell.window.stack.currentWidget() is shell.window.console
    assert shell.window.console.kiosk_button.text() == "Start kiosk mode"
    assert shell.session.booth.root_info().holds_key  # this laptop is the organisation


def test_next_pressed_before_the_later_pages_are_built_still_walks_them_all(make_shell, tmp_path, qtbot):
    """The wizard shows its first page before it builds the organisation, event, purposes, notice
    and staff pages; a Next pressed before they exist builds them then and there."""
    shell = make_shell(tmp_path / "quick.cbvault")
    shell.start()
    wizard = shell.wizard
    assert len(wizard.pageIds()) == 2  # the welcome and vault pages: nothing painted yet
    next_page(qtbot, wizard)
    fill_after_welcome(qtbot, wizard)
    assert len(wizard.pageIds()) == 7
    publish(qtbot, shell, wizard)
    assert shell.wizard is None and open_dialogs() == []
    assert shell.window.stack.currentWidget() is shell.window.console


def test_a_first_start_shows_the_wizard_alone_and_a_cancel_leaves_the_unlock_screen(make_shell, tmp_path, qtbot):
    """No vault yet: only the wizard is on screen (the main window behind it would be painted for
    nobody); closing it shows the unlock screen, whose "set up" button brings the wizard back."""
    shell = make_shell(tmp_path / "none-yet.cbvault")
    shell.start()
    wizard = shell.wizard
    qtbot.waitUntil(wizard.isVisible)
    assert not shell.window.isVisible() and not shell.window.has_unlock_page
    wizard.close()  # the window's close button
    qtbot.waitUntil(lambda: shell.window.isVisible())
    assert shell.wizard is None and open_dialogs() == []
    assert shell.window.stack.currentWidget() is shell.window.unlock_page
    assert not (tmp_path / "none-yet.cbvault").exists()
    shell.window.unlock_page.setup_requested.emit()
    assert shell.wizard is not None and shell.wizard.isVisible()


def _enrolment_file(tmp_path: Path) -> tuple[Path, str, str]:
    """An organisation vault (ops' laptop) enrols a new booth laptop: the file, its code, the root."""
    org = Booth.create(tmp_path / "org.cbvault", ORG_PASSPHRASE, organisation_name="Lakeside Optics Ltd.")
    try:
        enrolment = org.enrol_device()
        root = org.root_info().fingerprint
    finally:
        org.lock()
    path = tmp_path / "booth-laptop.cbenrol"
    path.write_bytes(enrolment.data)
    assert len(enrolment.code.replace("-", "")) == 16
    return path, enrolment.code, root


def test_joining_the_organisation_with_an_enrolment_file(make_shell, tmp_path, qtbot):
    path, code, root = _enrolment_file(tmp_path)
    shell = make_shell(tmp_path / "laptop.cbvault")
    shell.start()
    wizard = shell.wizard
    page = wizard.welcome_page
    assert page.own.isChecked() and not page.fields.isEnabled()
    qtbot.mouseClick(page.join, Qt.MouseButton.LeftButton, pos=QPoint(8, page.join.height() // 2))
    assert page.join.isChecked() and page.fields.isEnabled() and not page.isComplete()
    error = find(wizard, QLabel, "enrolmentError")
    # a file that is not an enrolment file: one sentence, next to the fields
    junk = tmp_path / "notes.p12"
    junk.write_bytes(b"this is not a PKCS#12 file")
    type_text(qtbot, page.path, str(junk))
    type_text(qtbot, page.code, code)
    next_page(qtbot, wizard)
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert wizard.currentPage() is page
    assert error.text() == "这不是注册文件（应为 ConsentBooth 生成的 PKCS#12 文件）。"
    # the right file with a wrong code
    page.path.setText(str(path))
    page.code.setText("AAAA-BBBB-CCCC-DDDD")
    next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: error.isVisible() and "注册码" in error.text(), timeout=10_000)
    assert wizard.currentPage() is page
    click(qtbot, wizard, "lang_en")
    assert error.text() == "The enrolment code does not open this enrolment file; check the code and try again."
    # the code as ops read it out: lower case and spaces are fine
    page.code.setText(code.lower().replace("-", " "))
    next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.vault_page, timeout=10_000)
    assert page.enrolment is not None and not error.isVisible()
    fill_after_welcome(qtbot, wizard, org_name=None)  # the name came with the file
    assert wizard.organisation_page.form.name.text() == "Lakeside Optics Ltd."
    publish(qtbot, shell, wizard)
    assert open_dialogs() == [] and page.enrolment is None  # the private key is not kept around
    info = shell.session.booth.root_info()
    assert info.fingerprint == root and not info.holds_key  # certified by the organisation's root
