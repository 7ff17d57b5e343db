"""The certificate page, section by section: header with the QR code and the root fingerprint,
title, the attendee's details and the circumstances, the purposes table, recipients, how to
withdraw, the handwritten signature and the evidence footer. ``layout_page`` repeats the layout
at a smaller scale until it fits one A4 page.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from consentbooth.certificates.qr import draw_qr, qr_matrix
from consentbooth.certificates.record import publication_lines, record_digest_hex
from consentbooth.certificates.typesetting import (
    ACCENT,
    CONTENT_W,
    FAINT,
    GREEN,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_H,
    PAGE_W,
    QR_MIN_MODULE,
    QR_SIZE,
    RED,
    RULE,
    SHADE,
    Color,
    PageLayout,
    ensure_font,
    key_values,
    section_heading,
    text_width,
    wrap,
    wrap_camel,
)
from consentbooth.crypto.pki import format_fingerprint
from consentbooth.domain.vocabulary import CHANNELS, FIELDS, LANGUAGES, METHODS, STATUSES

TITLES = {
    "consent": ("同意证明", "Consent certificate"),
    "withdrawal": ("撤回同意证明", "Withdrawal certificate"),
}
# (Chinese, English) of the words the screens and the CLI use too: one vocabulary, one catalogue.
FIELD_LABELS = {code: FIELDS.pair(code) for code in FIELDS}
METHOD_LABELS = {code: METHODS.pair(code) for code in METHODS}
CHANNEL_LABELS = {code: CHANNELS.pair(code) for code in CHANNELS}
LANGUAGE_LABELS = {code: " ".join(LANGUAGES.pair(code)) for code in LANGUAGES}
_STATUS_MARKS: Mapping[str, tuple[str, Color]] = {
    "granted": ("✓", GREEN), "not_granted": ("—", MUTED), "withdrawn": ("✘", RED), "expired": ("—", MUTED),
}
STATUS_STYLE: Mapping[str, tuple[str, str, str, Color]] = {
    code: (mark, *STATUSES.pair(code), colour) for code, (mark, colour) in _STATUS_MARKS.items()
}
ROOT_CHECK = (
    "核对根证书指纹：页首的机构根证书指纹须与本机构公布的指纹逐组一致；信任该根证书的 PDF 阅读器或 "
    "consentbooth verify --trust 可确认本文件的签名出自本机构。",
    "To check the root fingerprint at the top: it must match, group by group, the one the "
    "organisation publishes; a PDF reader that trusts that root, or consentbooth verify --trust, "
    "confirms the signature is the organisation's.",
)


def _fmt_time(iso: str, like: str | None = None) -> str:
    """``iso`` as 'YYYY-MM-DD HH:MM:SS UTC+hh:mm', in the time zone of ``like`` if given."""
    when = datetime.fromisoformat(iso)
    if like is not None:
        when = when.astimezone(datetime.fromisoformat(like).tzinfo)
    offset = when.strftime("%z")
    tz = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{when:%Y-%m-%d %H:%M:%S} {tz}".strip()


def _purpose_titles(entry: Mapping[str, Any], language: str) -> tuple[str, str]:
    """The title in the notice language, and the other language's title (if different)."""
    titles = entry.get("title", {})
    other = "en" if language != "en" else "zh-CN"
    first = titles.get(language) or titles.get("en") or entry.get("code", "")
    second = titles.get(other, "")
    return str(first), str(second if second != first else "")


def _header(
    lay: PageLayout, record: Mapping[str, Any], qr: list[list[bool]], top: float, accent: Color
) -> float:
    """The organisation on the left; the QR code, certificate number and issue time on the right."""
    controller = record["controller"]
    right = MARGIN_X + CONTENT_W
    size = max(QR_SIZE, len(qr) * QR_MIN_MODULE)  # an RSA signature makes a denser code
    quiet = 4 * size / len(qr)
    qr_x, qr_y = right - size, top - size + 6
    lay.ops.append(lambda c: draw_qr(c, qr, x=qr_x, y=qr_y, size=size))
    cap_x = qr_x - quiet - 2
    cid = str(record["certificate_id"])
    issued = _fmt_time(record["issued_at"], record["consent_timestamp"])
    y = top - 3
    lay.text(cap_x, y, "扫码核验", 9.5, accent, bold=True, align="right")
    lay.text(cap_x, y - 11, "Scan to verify", 7.5, MUTED, align="right")
    lay.text(cap_x, y - 32, "证明编号 Certificate No.", 6.5, FAINT, align="right")
    lay.text(cap_x, y - 42, cid, 7.2, INK, align="right")
    lay.text(cap_x, y - 56, "签发时间 Issued", 6.5, FAINT, align="right")
    lay.text(cap_x, y - 66, issued, 7.2, INK, align="right")
    org_w = cap_x - max(text_width(cid, 7.2), text_width(issued, 7.2)) - 18 - MARGIN_X

    primary = controller.get("name_zh") or controller["name"]
    secondary = controller["name"] if controller.get("name_zh") else ""
    t = lay.paragraph(MARGIN_X, top, primary, lay.sz(15), org_w, INK, leading=1.25, bold=True)
    if secondary:
        t = lay.paragraph(MARGIN_X, t, secondary, lay.sz(9), org_w, MUTED, leading=1.4)
    contact = "  ·  ".join(
        s for s in (controller.get("contact_email"), controller.get("contact_phone")) if s
    )
    t -= 2
    for part in str(controller["address"]).split(" / "):  # a bilingual address: one line each
        t = lay.paragraph(MARGIN_X, t, part, lay.sz(7.5), org_w, MUTED)
    t = lay.paragraph(MARGIN_X, t, contact, lay.sz(7.5), org_w, MUTED)
    t = _root_fingerprint(lay, record, t, org_w)
    top = min(t - lay.sz(4), qr_y - quiet)
    lay.line(MARGIN_X, top, right, top, accent, 1.2)
    return top


def _root_fingerprint(lay: PageLayout, record: Mapping[str, Any], top: float, width: float) -> float:
    """The organisation root's SHA-256 in two lines of 8 groups (how to check it: the footer)."""
    fingerprint = (record.get("trust") or {}).get("root_fingerprint")
    if not fingerprint:
        return top
    groups = format_fingerprint(str(fingerprint)).split(" ")
    t = lay.paragraph(
        MARGIN_X, top - lay.sz(5), "机构根证书指纹 Organisation root fingerprint (SHA-256)",
        lay.sz(6.8), width, MUTED,
    )
    for half in (groups[:8], groups[8:]):
        t = lay.paragraph(MARGIN_X, t, " ".join(half), lay.sz(8.6), width, INK, leading=1.3)
    return t


def _title(lay: PageLayout, record: Mapping[str, Any], top: float, accent: Color) -> float:
    action = str(record["action"])
    zh_title, en_title = TITLES.get(action, TITLES["consent"])
    size = lay.sz(22)
    top -= lay.sz(8) + size
    w = lay.text(MARGIN_X, top, zh_title, size, accent, bold=True)
    lay.text(MARGIN_X + w + lay.sz(10), top + lay.sz(1), en_title, lay.sz(14), accent)
    when = _fmt_time(record["consent_timestamp"])
    if action == "withdrawal":
        zh_line = (
            f"本证明记录您于 {when} 撤回对下列标为“已撤回”的处理目的的同意；"
            "此后我们不再为这些目的处理您的个人信息。"
        )
        en_line = (
            f"This certificate records that on {when} you withdrew your consent to the purposes "
            "marked as withdrawn below; we no longer process your information for them."
        )
        if (record.get("withdrawal") or {}).get("purposes") is not None:  # schema 2: all listed
            zh_line += "下表列出撤回后每一项处理目的的状态。"
            en_line += " The table shows every purpose as it stands after the withdrawal."
    else:
        zh_line = f"本证明记录您于 {when} 根据《个人信息保护法》就下列各项处理目的逐项作出的选择。"
        en_line = (
            f"This certificate records the choice you made for each purpose below on {when}, "
            "under China's PIPL."
        )
    top -= lay.sz(9)
    top = lay.paragraph(MARGIN_X, top, zh_line, lay.sz(9), CONTENT_W, INK, leading=1.4)
    top = lay.paragraph(MARGIN_X, top, en_line, lay.sz(8.2), CONTENT_W, MUTED, leading=1.4)
    return top


def _details(lay: PageLayout, record: Mapping[str, Any], top: float, accent: Color) -> float:
    """Two columns: the attendee's details, and the circumstances of the consent."""
    action = str(record["action"])
    language = str(record["notice"]["language"])
    event = record["event"]
    gutter = lay.sz(24)
    col_w = (CONTENT_W - gutter) / 2
    fields = record["pii_principal"]["fields"]
    ordered = [k for k in FIELD_LABELS if k in fields]
    ordered += sorted(k for k in fields if k not in FIELD_LABELS)
    asked = record["pii_principal"].get("labels") or {}
    person = [
        (asked[k].get("zh-CN", k), asked[k].get("en", ""), str(fields[k])) if k in asked
        else (*FIELD_LABELS.get(k, (k, "")), str(fields[k]))
        for k in ordered
    ]
    guardian = record["pii_principal"].get("guardian")
    if guardian:
        person.append(("监护人", "Guardian", f"{guardian['name']} ({guardian['relationship']})"))
    if not person:
        person.append(("信息", "Details", "已删除 erased"))
    collection = record["collection"]
    method = METHOD_LABELS.get(collection["method"], (collection["method"], ""))
    context = [
        ("活动", "Event", str(event["name"])),
        ("日期", "Dates", f"{event['starts_on']} – {event['ends_on']}"),
        ("地点", "Place", str(event["place"])),
        ("收集方式", "Method", f"{method[0]} {method[1]}"),
        ("操作员 / 设备", "", f"{collection['operator']} / {collection['device_id']}"),
        (
            "告知书",
            "Notice",
            f"v{record['notice']['version']} · {LANGUAGE_LABELS.get(language, language)}",
        ),
    ]
    about = ("同意情况", "About this consent")
    withdrawal = record.get("withdrawal")
    if action == "withdrawal" and withdrawal:
        about = ("撤回情况", "About this withdrawal")
        channel = str(withdrawal.get("channel"))
        zh, en = CHANNEL_LABELS.get(channel, (channel, ""))
        rows = [
            ("请求日期", "Requested", str(withdrawal.get("request_date") or "—")),
            ("撤回渠道", "Channel", f"{zh} {en}".strip()),
        ]
        if withdrawal.get("purposes"):
            by_code = {str(p.get("code")): p for p in record["purposes"]}
            titles = [
                _purpose_titles(by_code.get(str(c), {"code": c}), language)[0]
                for c in withdrawal["purposes"]
            ]
            rows.append(("本次撤回", "Withdrawn", "；".join(titles)))
        if withdrawal.get("note"):
            rows.append(("说明", "Note", str(withdrawal["note"])))
        context[3:4] = rows
    right_x = MARGIN_X + col_w + gutter
    top_l = section_heading(lay, MARGIN_X, top, col_w, "您的信息", "Your details", accent)
    top_l = key_values(lay, MARGIN_X, top_l, col_w, person)
    top_r = section_heading(lay, right_x, top, col_w, *about, accent)
    top_r = key_values(lay, right_x, top_r, col_w, context)
    return min(top_l, top_r)


def _purposes_table(
    lay: PageLayout, top: float, purposes: Sequence[Mapping[str, Any]], language: str
) -> float:
    x0 = MARGIN_X
    widths = [CONTENT_W * f for f in (0.37, 0.155, 0.105, 0.245, 0.125)]
    xs = [x0 + sum(widths[:i]) for i in range(len(widths))]
    pad = lay.sz(4)
    heads = (
        ("目的", "Purpose"),
        ("您的选择", "Your choice"),
        ("单独同意", "Separate consent"),
        ("DPV 类别", "DPV category"),
        ("保存至", "Kept until"),
    )
    head_size, head_en = lay.sz(7.6), lay.sz(6.4)
    head_h = head_size + head_en + lay.sz(8)
    lay.rect(x0, top - head_h, CONTENT_W, head_h, SHADE)
    for (zh, en), x in zip(heads, xs, strict=True):
        lay.text(x + pad, top - lay.sz(3) - head_size, zh, head_size, INK, bold=True)
        lay.text(x + pad, top - lay.sz(5) - head_size - head_en, en, head_en, MUTED)
    top -= head_h
    main, sub, small = lay.sz(8.4), lay.sz(7.2), lay.sz(6.8)
    for entry in purposes:
        first, second = _purpose_titles(entry, language)
        row_top = top - lay.sz(3.5)
        text_w = widths[0] - 2 * pad
        t = lay.paragraph(xs[0] + pad, row_top, first, main, text_w, INK, leading=1.25, bold=True)
        if second:
            t = lay.paragraph(xs[0] + pad, t, second, sub, text_w, MUTED, leading=1.25)
        bottoms = [t, row_top - main - sub * 1.6]
        status = str(entry["status"])
        mark, zh, en, color = STATUS_STYLE.get(status, ("?", status, "", INK))
        lay.text(xs[1] + pad, row_top - main, f"{mark} {zh}", main, color, bold=True)
        lay.text(xs[1] + pad, row_top - main - sub * 1.3, en, sub, color)
        sep = ("是", "Yes") if entry.get("separate_consent") else ("否", "No")
        lay.text(xs[2] + pad, row_top - main, sep[0], main, INK)
        lay.text(xs[2] + pad, row_top - main - sub * 1.3, sep[1], sub, MUTED)
        t = row_top - lay.sz(0.8)
        for line in wrap_camel(str(entry["dpv_category"]), small, widths[3] - 2 * pad):
            t -= small
            lay.text(xs[3] + pad, t, line, small, INK)
            t -= small * 0.3
        bottoms.append(t)
        if entry.get("expires_on"):
            lay.text(xs[4] + pad, row_top - main, str(entry["expires_on"]), main, INK)
            days = f"{entry['retention_days']} 天 days"
            lay.text(xs[4] + pad, row_top - main - sub * 1.3, days, sub, MUTED)
        else:  # not granted, withdrawn or expired: nothing is kept for this purpose
            lay.text(xs[4] + pad, row_top - main, "—", main, MUTED)
        top = min(bottoms) - lay.sz(2.5)
        lay.line(x0, top, x0 + CONTENT_W, top, RULE, 0.5)
    return top


def _recipients(lay: PageLayout, record: Mapping[str, Any], top: float, accent: Color) -> float:
    # Recipients of what was granted (or withdrawn now): nothing is given to the others.
    shown = {"granted", "withdrawn"}
    shared = [p for p in record["purposes"] if p.get("recipients") and p.get("status") in shown]
    if not shared:
        return top
    language = str(record["notice"]["language"])
    top = section_heading(
        lay,
        MARGIN_X,
        top - lay.sz(8),
        CONTENT_W,
        "接收方",
        "Recipients named in separate consents",
        accent,
    )
    indent = lay.sz(11)
    for entry in shared:
        first, _second = _purpose_titles(entry, language)
        top = lay.paragraph(MARGIN_X, top, f"◆ {first}", lay.sz(8), CONTENT_W, INK, bold=True)
        if entry.get("impact_assessment"):
            top = lay.paragraph(MARGIN_X + indent, top,
                                f"个人信息保护影响评估 Impact assessment: {entry['impact_assessment']}",
                                lay.sz(7), CONTENT_W - indent, MUTED, leading=1.3)
        for text in publication_lines(entry):
            top = lay.paragraph(MARGIN_X + indent, top, text, lay.sz(7.6), CONTENT_W - indent, INK, leading=1.3)
        for r in entry["recipients"]:
            country = f" · {r['country']}" if r.get("country") else ""
            top = lay.paragraph(
                MARGIN_X + indent,
                top,
                f"{r['name']}{country} — {r['contact']}",
                lay.sz(7.6),
                CONTENT_W - indent,
                INK,
                leading=1.3,
            )
            detail = (
                f"目的 Purpose: {r['purpose']}；方式 Method: {r['method']}；"
                f"信息种类 Categories: {', '.join(r['categories'])}"
            )
            top = lay.paragraph(
                MARGIN_X + indent, top, detail, lay.sz(7), CONTENT_W - indent, MUTED, leading=1.3
            )
        top -= lay.sz(2)
    return top


def _withdraw_box(
    lay: PageLayout, record: Mapping[str, Any], top: float, width: float, accent: Color
) -> float:
    """How to withdraw and whom to contact, in a shaded box; return its bottom."""
    rights = record["rights"]
    how = rights["how_to_withdraw"]
    pad = lay.sz(8)
    x = MARGIN_X + pad + lay.sz(3)
    inner_w = width - 2 * pad - lay.sz(3)
    first_op = len(lay.ops)
    t = lay.paragraph(
        x, top - pad, "如何撤回同意 · How to withdraw", lay.sz(9), inner_w, accent, bold=True
    )
    t = lay.paragraph(x, t - lay.sz(2), how.get("zh-CN", ""), lay.sz(7.8), inner_w, INK)
    t = lay.paragraph(x, t, how.get("en", ""), lay.sz(7.2), inner_w, MUTED)
    contact = f"联系人 Contact: {rights['contact']}"
    t = lay.paragraph(x, t - lay.sz(2), contact, lay.sz(8), inner_w, INK, bold=True)
    bottom = t - pad + lay.sz(2)
    shading = PageLayout(lay.scale)  # drawn before (under) the text queued above
    shading.rect(MARGIN_X, bottom, width, top - bottom, SHADE)
    shading.rect(MARGIN_X, bottom, lay.sz(3), top - bottom, accent)
    lay.ops[first_op:first_op] = shading.ops
    return bottom


def _signature_box(
    lay: PageLayout, record: Mapping[str, Any], signature_png: bytes | None, x: float, top: float
) -> float:
    """The handwritten signature (or a note that none was captured); return its bottom."""
    width = MARGIN_X + CONTENT_W - x
    size = lay.sz(9)
    t = top - size - lay.sz(6)
    w = lay.text(x, t, "手写签名", size, INK, bold=True)
    lay.text(x + w + 4, t, "Handwritten signature", lay.sz(7.5), MUTED)
    image_h = lay.sz(60)
    line_y = t - lay.sz(6) - image_h
    lay.line(x, line_y, x + width, line_y, FAINT, 0.6)
    name = str(record["pii_principal"]["fields"].get("name", ""))
    caption = "  ·  ".join(s for s in (name, _fmt_time(record["consent_timestamp"])) if s)
    bottom = lay.paragraph(x, line_y - lay.sz(3), caption, lay.sz(7.2), width, MUTED)
    if signature_png is None:
        lay.text(
            x + width / 2,
            line_y + image_h / 2,
            "未采集手写签名 · No handwritten signature",
            lay.sz(7.5),
            FAINT,
            align="center",
        )
    else:
        image = ImageReader(io.BytesIO(signature_png))
        iw, ih = image.getSize()
        factor = min(width / iw, (image_h - lay.sz(4)) / ih)
        w, h = iw * factor, ih * factor
        ix, iy = x + (width - w) / 2, line_y + lay.sz(2)

        def op(c: Canvas) -> None:
            c.drawImage(image, ix, iy, width=w, height=h, mask="auto")

        lay.ops.append(op)
    return bottom - lay.sz(4)


def _footer(lay: PageLayout, record: Mapping[str, Any]) -> float:
    """Identifiers and digests in small type at the foot of the page; return its top."""
    size = 6.3
    evidence = record["evidence"]
    notice = record["notice"]
    lines = [
        f"证明编号 Certificate ID {record['certificate_id']}  ·  {record['schema']}  ·  "
        f"法域 Jurisdiction {record['jurisdiction']} (PIPL)",
        f"告知书 Notice v{notice['version']} ({notice['language']}) SHA-256 {notice['sha256']}",
        f"记录摘要 Record digest SHA-256 {record_digest_hex(record)}",
        f"同意事件 Consent event {evidence['consent_event_id']}  ·  "
        f"账本哈希 Ledger hash {evidence['ledger_hash']}",
    ]
    head = evidence.get("chain_head")
    if head:
        lines.append(
            f"账本链头 Ledger chain head {head['device_id']} #{head['device_seq']} {head['hash']}"
        )
    lines += [
        "本文件由上述机构以 PAdES 数字签名，机器可读记录见附件 consent-record.json。"
        "Digitally signed (PAdES) by the organisation above; machine-readable record attached.",
    ]
    if (record.get("trust") or {}).get("root_fingerprint"):
        lines += list(ROOT_CHECK)  # how to check the root fingerprint printed at the top
    wrapped = [w for line in lines for w in wrap(line, size, CONTENT_W)]
    y = MARGIN_BOTTOM
    for line in reversed(wrapped):
        lay.text(MARGIN_X, y, line, size, FAINT)
        y += size * 1.5
    lay.line(MARGIN_X, y, MARGIN_X + CONTENT_W, y, RULE, 0.6)
    return y


def _layout(
    record: Mapping[str, Any], signature_png: bytes | None, qr: list[list[bool]], scale: float
) -> tuple[PageLayout, float]:
    """Lay the page out at ``scale``; return the layout and the spare height (< 0: overflow)."""
    lay = PageLayout(scale)
    accent = ACCENT.get(str(record["action"]), ACCENT["consent"])
    lay.rect(0, PAGE_H - 8, PAGE_W, 8, accent)
    top = _header(lay, record, qr, PAGE_H - MARGIN_TOP, accent)
    flow_top = top
    top = _title(lay, record, top, accent)
    top = _details(lay, record, top - lay.sz(10), accent)
    top = section_heading(
        lay,
        MARGIN_X,
        top - lay.sz(4),
        CONTENT_W,
        "处理目的与您的选择",
        "Purposes and your choices",
        accent,
    )
    top = _purposes_table(lay, top, record["purposes"], str(record["notice"]["language"]))
    top = _recipients(lay, record, top, accent)
    top -= lay.sz(10)
    box_w = CONTENT_W * 0.64
    bottom = min(
        _withdraw_box(lay, record, top, box_w, accent),
        _signature_box(lay, record, signature_png, MARGIN_X + box_w + lay.sz(18), top),
    )
    footer_top = _footer(lay, record)
    lay.flow_height = flow_top - bottom
    lay.spare = bottom - footer_top - 8
    return lay, lay.spare


SCALES = (0.96, 0.92, 0.88, 0.84, 0.8, 0.76, 0.72, 0.68, 0.64, 0.6)


def layout_page(
    *, record: Mapping[str, Any], signature_png: bytes | None, qr_payload: str
) -> PageLayout:
    """The page's drawing operations, at full size or at the largest scale that fits."""
    ensure_font()
    matrix = qr_matrix(qr_payload)
    lay, spare = _layout(record, signature_png, matrix, 1.0)
    if spare >= 0:
        return lay
    # The content's height scales about linearly: start near the scale that fits.
    estimate = (lay.flow_height + spare) / lay.flow_height
    for scale in [s for s in SCALES if s <= estimate + 0.02] or [SCALES[-1]]:
        lay, spare = _layout(record, signature_png, matrix, scale)
        if spare >= 0:
            break
    return lay
