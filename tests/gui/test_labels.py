"""A certificate and the lead's record on screen say the same word for every field, in both languages.

The certificate is rendered by the real service (``Booth.issue_certificate`` /
``Booth.export_certificate``) and read back by an independent tool (poppler's ``pdftotext``); the
screen is the console's real detail pane, read in Chinese and then in English.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFormLayout

from tests.gui.conftest import PASSPHRASE
from tests.gui.gui_helpers import click, unlock

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

FIELDS = {
    "name": "张伟",
    "company": "上海示例科技有限公司",
    "title": "采购经理",
    "phone": "13800138000",
    "email": "zhang.wei@example.cn",
    "wechat": "zhangwei_sh",
    "rating": "3",
    "notes": "Wants a quote",
}
QUESTION = {"interest": "激光切割机"}  # a qualifying question of the demo event


@pytest.fixture
def certified(tmp_path: Path) -> tuple[Path, str, Path]:
    """A vault with one staff-assisted lead (every field and a question answered) and its
    certificate exported as a PDF through the real service."""
    from consentbooth.domain.models import CollectionMethod
    from consentbooth.services import Booth, CaptureRequest

    path = tmp_path / "labels.cbvault"
    booth = Booth.create(path, PASSPHRASE, demo=True)
    try:
        result = booth.capture(CaptureRequest(
            fields={**FIELDS, **QUESTION}, purposes=["sales_contact", "newsletter"], operator="WF",
            collection_method=CollectionMethod.STAFF, language="zh-CN",
        ))
        booth.issue_certificate(result.ledger_id)
        pdf = tmp_path / "certificate.pdf"
        assert booth.export_certificate(result.lead_id, pdf) == 1
        stored = booth.record(result.lead_id).lead.fields
    finally:
        booth.lock()
    assert stored["phone"] != FIELDS["phone"]  # stored normalised; both sides show the stored value
    return path, result.lead_id, pdf


def certificate_labels(pdf: Path, values: dict[str, str]) -> dict[str, str]:
    """Field → the label the certificate prints left of the field's value ("中文 English"). A
    label too long for its column (a qualifying question) has its English on the next line."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = text.splitlines()
    labels = {}
    for key, value in values.items():
        pattern = re.compile(rf"^(?P<label>\S.*?)\s+{re.escape(value)}(?:\s{{2,}}|$)")
        found = [(i, m["label"]) for i, line in enumerate(lines) if (m := pattern.match(line))]
        assert len(found) == 1, (key, value, found)
        at, label = found[0]
        label = label.strip()
        if label.isascii() is False and not re.search(r"[A-Za-z]", label) and at + 1 < len(lines):
            label += " " + re.split(r"\s{2,}", lines[at + 1].strip())[0]
        labels[key] = label
    return labels


def screen_labels(detail, values: dict[str, str]) -> dict[str, str]:
    """Field → the label the detail pane shows next to the field's value."""
    form = detail.fields_form
    rows = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        value = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is not None and value is not None:
            rows[value.widget().text()] = label.widget().text()
    return {key: rows[value] for key, value in values.items()}


def _show_in(shell, qtbot, lead_id: str, language: str):
    console = shell.window.console
    if language == "en":
        click(qtbot, console, "lang_en")
    qtbot.waitUntil(lambda: console.select_lead(lead_id), timeout=10_000)
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None and detail.record.lead.id == lead_id, timeout=10_000)
    qtbot.wait(50)  # a reload after the language switch may still be drawing
    qtbot.waitUntil(lambda: detail.record is not None and detail.fields_form.rowCount() > 0, timeout=10_000)
    return detail


def _both_languages(make_shell, qtbot, certified, values):
    path, lead_id, _pdf = certified
    shell = make_shell(path)
    shell.start()
    unlock(shell, qtbot)
    zh = screen_labels(_show_in(shell, qtbot, lead_id, "zh-CN"), values)
    en = screen_labels(_show_in(shell, qtbot, lead_id, "en"), values)
    return shell, zh, en


def _stored(certified) -> dict[str, str]:
    from consentbooth.services import Booth

    path, lead_id, _pdf = certified
    booth = Booth.unlock(path, PASSPHRASE)
    try:
        return dict(booth.record(lead_id).lead.fields)
    finally:
        booth.lock()


def test_certificate_and_detail_pane_use_the_same_label_for_every_field(make_shell, qtbot, certified):
    stored = _stored(certified)
    values = {k: stored[k] for k in FIELDS}
    on_paper = certificate_labels(certified[2], values)
    shell, zh, en = _both_languages(make_shell, qtbot, certified, values)
    assert on_paper == {k: f"{zh[k]} {en[k]}" for k in FIELDS}
    # the words are really translated, and the one that differed before is now the same
    assert zh["phone"] == "手机号码" and en["phone"] == "Mobile phone"
    assert all(zh[k] != en[k] for k in FIELDS)
    # the other words of the record: how it was collected and the notice's language
    text = subprocess.run(["pdftotext", "-layout", str(certified[2]), "-"], capture_output=True, text=True,
                          check=True).stdout
    detail = shell.window.console.detail
    assert "staff-assisted" in detail.subheading.text()  # English now
    assert re.search(r"收集方式 Method\s+工作人员协助录入 staff-assisted", text)
    assert re.search(r"v1 · 简体中文 Simplified Chinese", text)
    languages = screen_labels(detail, {"language": "Simplified Chinese"})
    assert languages["language"] == "Notice language"


def test_a_qualifying_question_is_labelled_alike_on_the_certificate(make_shell, qtbot, certified):
    on_paper = certificate_labels(certified[2], QUESTION)
    _shell, zh, en = _both_languages(make_shell, qtbot, certified, QUESTION)
    assert zh["interest"] == "感兴趣的产品" and en["interest"] == "Product interest"
    assert on_paper == {"interest": f"{zh['interest']} {en['interest']}"}
