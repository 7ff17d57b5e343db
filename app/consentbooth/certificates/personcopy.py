"""The copy of everything held about a person (PIPL Art. 45) as a bilingual PDF (中文 + English),
with the machine-readable JSON attached, signed like the consent certificates (``sign_pdf``).

Takes the copy's dictionary (services/personcopy.py builds it; docs/person-copy.schema.json
describes it) and returns bytes. Text flows over as many A4 pages as it needs, set in the
bundled CJK font.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from consentbooth.certificates.pdf import attach_files
from consentbooth.certificates.signing import sign_pdf
from consentbooth.certificates.typesetting import (
    CONTENT_W,
    FONT_NAME,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    RULE,
    Color,
    displayable,
    ensure_font,
    wrap,
)
from consentbooth.crypto.keys import SigningIdentity

JSON_ATTACHMENT = "person-copy.json"
ACCENT: Color = (0.08, 0.24, 0.44)
ACTIONS = {
    "consent": "同意 / consent", "withdrawal": "撤回 / withdrawal", "erasure": "删除 / erasure",
    "expiry": "到期 / expiry", "correction": "更正 / correction",
    "request_opened": "收到请求 / request received", "request_closed": "请求办结 / request closed",
}
STATES = {
    "granted": "已同意 / granted", "not_granted": "未同意 / not granted", "withdrawn": "已撤回 / withdrawn",
    "expired": "已到期 / expired",
}
FIELDS = {
    "name": "姓名 / Name", "company": "公司 / Company", "title": "职务 / Title", "phone": "电话 / Phone",
    "email": "电子邮箱 / Email", "wechat": "微信 / WeChat", "rating": "评级 / Rating", "notes": "备注 / Notes",
}


class _Flow:
    """Lines of text set top-down, a new page when the current one is full."""

    def __init__(self, canvas: Canvas, footer: str) -> None:
        self.c = canvas
        self.footer = footer
        self.page = 0
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        self.c.setFont(FONT_NAME, 7)
        self.c.setFillColorRGB(*MUTED)
        self.c.drawString(MARGIN_X, MARGIN_BOTTOM - 12, displayable(f"{self.footer} · {self.page}"))
        self.y = PAGE_H - MARGIN_TOP

    def _room(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self._new_page()

    def line(self, text: str, size: float = 9.0, color: Color = INK, x: float = MARGIN_X) -> None:
        for part in wrap(displayable(text), size, CONTENT_W - (x - MARGIN_X)) or [""]:
            self._room(size * 1.4)
            self.y -= size * 1.4
            self.c.setFont(FONT_NAME, size)
            self.c.setFillColorRGB(*color)
            self.c.drawString(x, self.y, part)

    def heading(self, text: str) -> None:
        self._room(40)
        self.y -= 8
        self.line(text, 11.5, ACCENT)
        self.y -= 3
        self.c.setStrokeColorRGB(*RULE)
        self.c.setLineWidth(0.6)
        self.c.line(MARGIN_X, self.y, MARGIN_X + CONTENT_W, self.y)
        self.y -= 3

    def pair(self, label: str, value: object) -> None:
        text = "—" if value in (None, "") else str(value)
        label_w = 150.0
        labels = wrap(displayable(label), 8, label_w - 6) or [""]
        values = wrap(displayable(text), 9, CONTENT_W - label_w) or ["—"]
        self._room(12.6 * min(3, max(len(labels), len(values))))
        top = self.y
        self.c.setFont(FONT_NAME, 8)
        self.c.setFillColorRGB(*MUTED)
        for n, part in enumerate(labels):
            self.c.drawString(MARGIN_X, top - 11 - n * 10.5, part)
        label_bottom = top - 10.5 * len(labels) - 2.1
        for part in values:
            self._room(12.6)
            self.y -= 12.6
            self.c.setFont(FONT_NAME, 9)
            self.c.setFillColorRGB(*INK)
            self.c.drawString(MARGIN_X + label_w, self.y, part)
        if self.y > label_bottom and label_bottom > MARGIN_BOTTOM:
            self.y = label_bottom


def render_person_copy(copy: Mapping[str, Any], *, json_bytes: bytes) -> bytes:
    """The copy's PDF (unsigned), with ``json_bytes`` (the same data, machine-readable) attached."""
    ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT_NAME)
    controller, person = copy["controller"], copy["person"]
    canvas.setTitle(f"个人信息副本 Copy of personal information {person['lead_id']}")
    canvas.setAuthor(str(controller.get("name_zh") or controller.get("name") or ""))
    canvas.setSubject(f"Copy of personal information under PIPL Art. 45 ({copy['schema']})")
    canvas.setCreator("ConsentBooth")
    flow = _Flow(canvas, f"{copy['schema']} · {person['lead_id']}")
    flow.line("我们持有的您的个人信息副本", 16, ACCENT)
    flow.line("A copy of the personal information we hold about you", 11, MUTED)
    flow.line("《个人信息保护法》第四十五条 / PIPL Article 45 · " + str(copy["generated_at"])[:19], 8, MUTED)
    _controller(flow, controller)
    _person(flow, person)
    _consents(flow, copy["consents"])
    _history(flow, copy["history"])
    _recipients(flow, copy["recipients"])
    _retention(flow, copy["retention"])
    _rights(flow, copy)
    flow.y -= 8
    flow.line("本文件附有同一内容的机器可读 JSON（" + JSON_ATTACHMENT + "），并经我方电子签名。", 8, MUTED)
    flow.line("The same data is attached as machine-readable JSON (" + JSON_ATTACHMENT + "); this document "
              "is signed by us.", 8, MUTED)
    canvas.showPage()
    attach_files(canvas, [(JSON_ATTACHMENT, json_bytes, "application/json",
                      "Copy of personal information, machine-readable (" + str(copy["schema"]) + ")")])
    canvas.save()
    return buffer.getvalue()


def _controller(flow: _Flow, controller: Mapping[str, Any]) -> None:
    flow.heading("个人信息处理者 / Personal information handler")
    flow.pair("名称 / Name", " / ".join(v for v in (controller.get("name_zh"), controller.get("name")) if v))
    flow.pair("地址 / Address", controller.get("address"))
    flow.pair("联系方式 / Contact", " · ".join(v for v in (controller.get("contact_email"),
                                                          controller.get("contact_phone")) if v))


def _person(flow: _Flow, person: Mapping[str, Any]) -> None:
    flow.heading("您的信息 / Your details")
    flow.pair("编号 / Record id", person["lead_id"])
    event = person.get("event") or {}
    flow.pair("活动 / Event", " · ".join(str(v) for v in (event.get("name"), event.get("place"),
                                                        event.get("starts_on")) if v))
    flow.pair("收集时间 / Collected at", person["captured_at"])
    flow.pair("收集方式 / Collected by", person["collection_method"])
    for key, value in person["details"].items():
        flow.pair(FIELDS.get(key, key), value)
    flow.pair("手写签名 / Handwritten signature", "有 / yes" if person["has_signature"] else "无 / no")
    if person.get("guardian"):
        flow.pair("监护人 / Guardian", f"{person['guardian']['name']} ({person['guardian']['relationship']})")
    if person.get("erased_at"):
        flow.pair("已删除 / Erased at", person["erased_at"])


def _consents(flow: _Flow, consents: Sequence[Mapping[str, Any]]) -> None:
    flow.heading("您的同意 / Your consents")
    if not consents:
        flow.line("无 / none", 9, MUTED)
    for item in consents:
        title = " / ".join(dict.fromkeys(item["title"].values()))
        state = STATES.get(item["state"], item["state"])
        until = f" · 至 / until {item['expires_at'][:10]}" if item.get("expires_at") else ""
        flow.pair(title, f"{state} · {item['since'][:19]}{until}")
        for party in item.get("third_parties", ()):
            flow.pair("  第三方 / Third party", f"{party['name']} ({party['country']}) · {party['purpose']}")


def _history(flow: _Flow, history: Sequence[Mapping[str, Any]]) -> None:
    flow.heading("同意与撤回记录 / Every consent and withdrawal")
    for item in history:
        decisions = ", ".join(f"{code}: {STATES.get(d, d)}" for code, d in item["decisions"].items())
        request = item.get("request")
        if request:
            decisions = " ".join(v for v in (request.get("type"), request.get("outcome")) if v)
        flow.pair(f"{item['occurred_at'][:19]}", f"{ACTIONS.get(item['action'], item['action'])} · "
                  f"告知版本 / notice v{item['notice_version']} · {decisions or '—'}")


def _recipients(flow: _Flow, recipients: Sequence[Mapping[str, Any]]) -> None:
    flow.heading("接收您信息的对象（共享记录）/ Who received your data (sharing log)")
    if not recipients:
        flow.line("无 / none", 9, MUTED)
    for item in recipients:
        purposes = ", ".join(item["purposes"]) or "—"
        flow.pair(item["at"][:19], f"{item['recipient'] or '—'} · {item['kind']} · {purposes}")


def _retention(flow: _Flow, retention: Mapping[str, Any]) -> None:
    flow.heading("保存期限 / How long we keep it")
    flow.pair("活动保存期 / Event retention", f"{retention['event_retention_days']} 天 / days"
              if retention.get("event_retention_days") else None)
    flow.pair("删除日期 / Deleted by", (retention.get("delete_by") or "")[:10])
    for code, until in retention.get("purposes", {}).items():
        flow.pair(f"  {code}", (until or "")[:10])


def _rights(flow: _Flow, copy: Mapping[str, Any]) -> None:
    rights = copy["your_rights"]
    flow.heading("如何撤回同意与投诉 / How to withdraw and complain")
    for key in ("withdraw", "complain"):
        for language in ("zh-CN", "en"):
            flow.line(rights[key][language], 9, INK if language == "zh-CN" else MUTED)
    if copy.get("requests"):
        flow.heading("您的请求 / Your requests")
        for r in copy["requests"]:
            flow.pair(r["received_on"], f"{r['type']} · {r['status']} · {r.get('outcome') or '—'}")


def issue_person_copy_pdf(*, copy: Mapping[str, Any], json_bytes: bytes, identity: SigningIdentity,
                          timestamp_url: str | None = None) -> bytes:
    """The signed copy (PAdES, as the certificates; B-T with ``timestamp_url``)."""
    pdf = render_person_copy(copy, json_bytes=json_bytes)
    controller = copy["controller"]
    return sign_pdf(pdf, identity=identity, reason="PIPL Art. 45 copy of personal information",
                    signer_name=str(controller.get("name") or "") or None, timestamp_url=timestamp_url)


def issue_letter_pdf(*, text: str, title: str, identity: SigningIdentity, signer_name: str | None = None,
                     timestamp_url: str | None = None) -> bytes:
    """An answer letter (plain text, one paragraph per line) as a signed PDF, for post or email."""
    ensure_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT_NAME)
    canvas.setTitle(title)
    canvas.setAuthor(signer_name or "")
    canvas.setCreator("ConsentBooth")
    flow = _Flow(canvas, title)
    for paragraph in text.splitlines():
        if paragraph.strip():
            flow.line(paragraph, 10.5)
        else:
            flow.y -= 8
    canvas.showPage()
    canvas.save()
    return sign_pdf(buffer.getvalue(), identity=identity, reason="Answer to a personal-information rights request",
                    signer_name=signer_name, timestamp_url=timestamp_url)

