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
from consentbooth.certificates.wording import (
    CONSENT_LINE,
    RECIPIENT_METHOD,
    ROOT_CHECK,
    SIGNED_LINE,
    TITLES,
    WITHDRAWAL_LINE,
    L,
    Wording,
)
from consentbooth.crypto.pki import format_fingerprint
from consentbooth.domain.vocabulary import CHANNELS, FIELDS, LANGUAGES, METHODS, STATUSES

_STATUS_MARKS: Mapping[str, tuple[str, Color]] = {
    "granted": ("✓", GREEN), "not_granted": ("—", MUTED), "withdrawn": ("✘", RED), "expired": ("—", MUTED),
}
def _words(record: Mapping[str, Any]) -> Wording:
    return Wording(str(record["notice"]["language"]))


def _vocabulary_pair(words: Wording, table: Mapping[str, str], code: str) -> tuple[str, str]:
    """A vocabulary word (field, method, channel, status) as (primary, English); ``(code, "")``
    for a code the table does not know."""
    english = table.get(code)
    if english is None:
        return code, ""
    first = words.text(english)
    return first, ("" if first == english else english)


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
    words = _words(record)
    scan, scan_en = words.pair(L["Scan to verify"])
    lay.text(cap_x, y, scan, 9.5, accent, bold=True, align="right")
    lay.text(cap_x, y - 11, scan_en, 7.5, MUTED, align="right")
    lay.text(cap_x, y - 32, words.both(L["Certificate No."]), 6.5, FAINT, align="right")
    lay.text(cap_x, y - 42, cid, 7.2, INK, align="right")
    lay.text(cap_x, y - 56, words.both(L["Issued"]), 6.5, FAINT, align="right")
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
    caption = _words(record).both(L["Organisation root fingerprint"]) + " (SHA-256)"
    t = lay.paragraph(MARGIN_X, top - lay.sz(5), caption, lay.sz(6.8), width, MUTED)
    for half in (groups[:8], groups[8:]):
        t = lay.paragraph(MARGIN_X, t, " ".join(half), lay.sz(8.6), width, INK, leading=1.3)
    return t


def _title(lay: PageLayout, record: Mapping[str, Any], top: float, accent: Color) -> float:
    action = str(record["action"])
    words = _words(record)
    zh_title, en_title = words.pair(TITLES.get(action, TITLES["consent"]))
    size = lay.sz(22)
    top -= lay.sz(8) + size
    w = lay.text(MARGIN_X, top, zh_title, size, accent, bold=True)
    lay.text(MARGIN_X + w + lay.sz(10), top + lay.sz(1), en_title, lay.sz(14), accent)
    when = _fmt_time(record["consent_timestamp"])
    if action == "withdrawal":
        said = [WITHDRAWAL_LINE]
        if (record.get("withdrawal") or {}).get("purposes") is not None:  # schema 2: all listed
            said.append(L["The table shows every purpose as it stands after the withdrawal."])
    else:
        said = [CONSENT_LINE]
    zh_line, en_line = words.sentences(*said, when=when), words.english_sentences(*said, when=when)
    if zh_line == en_line:  # no translation: said once
        zh_line = ""
    top -= lay.sz(9)
    if zh_line:
        top = lay.paragraph(MARGIN_X, top, zh_line, lay.sz(9), CONTENT_W, INK, leading=1.4)
    top = lay.paragraph(MARGIN_X, top, en_line, lay.sz(8.2), CONTENT_W, MUTED, leading=1.4)
    return top


def _details(lay: PageLayout, record: Mapping[str, Any], top: float, accent: Color) -> float:
    """Two columns: the attendee's details, and the circumstances of the consent."""
    action = str(record["action"])
    language = str(record["notice"]["language"])
    words = _words(record)
    event = record["event"]
    gutter = lay.sz(24)
    col_w = (CONTENT_W - gutter) / 2
    fields = record["pii_principal"]["fields"]
    ordered = [k for k in FIELDS if k in fields]
    ordered += sorted(k for k in fields if k not in FIELDS)
    asked = record["pii_principal"].get("labels") or {}
    person = [
        (*_asked_label(asked[k], words), str(fields[k])) if k in asked
        else (*_vocabulary_pair(words, FIELDS, k), str(fields[k]))
        for k in ordered
    ]
    guardian = record["pii_principal"].get("guardian")
    if guardian:
        person.append((*words.pair(L["Guardian"]), f"{guardian['name']} ({guardian['relationship']})"))
    if not person:
        person.append((*words.pair(L["Details"]), words.both(L["erased"])))
    collection = record["collection"]
    method = _vocabulary_pair(words, METHODS, collection["method"])
    notice_language = " ".join(w for w in _vocabulary_pair(words, LANGUAGES, language) if w)
    context = [
        (*words.pair(L["Event"]), str(event["name"])),
        (*words.pair(L["Dates"]), f"{event['starts_on']} – {event['ends_on']}"),
        (*words.pair(L["Place"]), str(event["place"])),
        (*words.pair(L["Method"]), f"{method[0]} {method[1]}".strip()),
        (words.text(L["Operator / device"]), "", f"{collection['operator']} / {collection['device_id']}"),
        (*words.pair(L["Notice"]), f"v{record['notice']['version']} · {notice_language}"),
    ]
    about = words.pair(L["About this consent"])
    withdrawal = record.get("withdrawal")
    if action == "withdrawal" and withdrawal:
        about = words.pair(L["About this withdrawal"])
        channel = str(withdrawal.get("channel"))
        zh, en = _vocabulary_pair(words, CHANNELS, channel)
        rows = [
            (*words.pair(L["Requested"]), str(withdrawal.get("request_date") or "—")),
            (*words.pair(L["Channel"]), f"{zh} {en}".strip()),
        ]
        if withdrawal.get("purposes"):
            by_code = {str(p.get("code")): p for p in record["purposes"]}
            titles = [
                _purpose_titles(by_code.get(str(c), {"code": c}), language)[0]
                for c in withdrawal["purposes"]
            ]
            rows.append((*words.pair(L["Withdrawn"]), words.text(L["; "]).join(titles)))
        if withdrawal.get("note"):
            rows.append((*words.pair(L["Note"]), str(withdrawal["note"])))
        context[3:4] = rows
    right_x = MARGIN_X + col_w + gutter
    top_l = section_heading(lay, MARGIN_X, top, col_w, *words.pair(L["Your details"]), accent)
    top_l = key_values(lay, MARGIN_X, top_l, col_w, person)
    top_r = section_heading(lay, right_x, top, col_w, *about, accent)
    top_r = key_values(lay, right_x, top_r, col_w, context)
    return min(top_l, top_r)


def _asked_label(labels: Mapping[str, str], words: Wording) -> tuple[str, str]:
    """A qualifying question's label as the record carries it: (primary, English)."""
    english = str(labels.get("en", ""))
    first = str(labels.get(words.primary) or english)
    return first, ("" if first == english else english)


def _purposes_table(
    lay: PageLayout, top: float, purposes: Sequence[Mapping[str, Any]], language: str
) -> float:
    x0 = MARGIN_X
    widths = [CONTENT_W * f for f in (0.37, 0.155, 0.105, 0.245, 0.125)]
    xs = [x0 + sum(widths[:i]) for i in range(len(widths))]
    pad = lay.sz(4)
    words = Wording(language)
    heads = [words.pair(m) for m in (L["Purpose"], L["Your choice"], L["Separate consent"],
                                     L["DPV category"], L["Kept until"])]
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
        mark, color = _STATUS_MARKS.get(status, ("?", INK))
        zh, en = _vocabulary_pair(words, STATUSES, status)
        lay.text(xs[1] + pad, row_top - main, f"{mark} {zh}", main, color, bold=True)
        lay.text(xs[1] + pad, row_top - main - sub * 1.3, en, sub, color)
        sep = words.pair(L["Yes"] if entry.get("separate_consent") else L["No"])
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
            days = f"{words.text(L['{n} days'], n=entry['retention_days'])} days"  # "365 天 days"
            if not words.pair(L["{n} days"], n=0)[1]:  # no translation: "365 days"
                days = f"{entry['retention_days']} days"
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
    words = _words(record)
    top = section_heading(
        lay,
        MARGIN_X,
        top - lay.sz(8),
        CONTENT_W,
        *words.pair(L["Recipients named in separate consents"]),
        accent,
    )
    indent = lay.sz(11)
    for entry in shared:
        first, _second = _purpose_titles(entry, language)
        top = lay.paragraph(MARGIN_X, top, f"◆ {first}", lay.sz(8), CONTENT_W, INK, bold=True)
        if entry.get("impact_assessment"):
            top = lay.paragraph(MARGIN_X + indent, top,
                                f"{words.both(L['Impact assessment'])}: {entry['impact_assessment']}",
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
            separator = words.text(L["; "])
            detail = separator.join((
                f"{words.both(L['Purpose'])}: {r['purpose']}",
                f"{words.both(RECIPIENT_METHOD)}: {r['method']}",
                f"{words.both(L['Categories'])}: {', '.join(r['categories'])}",
            ))
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
    words = _words(record)
    pad = lay.sz(8)
    x = MARGIN_X + pad + lay.sz(3)
    inner_w = width - 2 * pad - lay.sz(3)
    first_op = len(lay.ops)
    t = lay.paragraph(
        x, top - pad, words.both(L["How to withdraw"], sep=" · "), lay.sz(9), inner_w, accent, bold=True
    )
    # the record's own wording: the primary language's if it has one (older records: zh-CN, en)
    first = how.get(words.primary) or how.get("zh-CN", "")
    t = lay.paragraph(x, t - lay.sz(2), first, lay.sz(7.8), inner_w, INK)
    t = lay.paragraph(x, t, how.get("en", ""), lay.sz(7.2), inner_w, MUTED)
    contact = f"{words.both(L['Contact'])}: {rights['contact']}"
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
    words = _words(record)
    first, english = words.pair(L["Handwritten signature"])
    w = lay.text(x, t, first, size, INK, bold=True)
    lay.text(x + w + 4, t, english, lay.sz(7.5), MUTED)
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
            words.both(L["No handwritten signature"], sep=" · "),
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
    w = _words(record)
    lines = [
        f"{w.both(L['Certificate ID'])} {record['certificate_id']}  ·  {record['schema']}  ·  "
        f"{w.both(L['Jurisdiction'])} {record['jurisdiction']} (PIPL)",
        f"{w.both(L['Notice'])} v{notice['version']} ({notice['language']}) SHA-256 {notice['sha256']}",
        f"{w.both(L['Record digest'])} SHA-256 {record_digest_hex(record)}",
        f"{w.both(L['Consent event'])} {evidence['consent_event_id']}  ·  "
        f"{w.both(L['Ledger hash'])} {evidence['ledger_hash']}",
    ]
    head = evidence.get("chain_head")
    if head:
        lines.append(
            f"{w.both(L['Ledger chain head'])} {head['device_id']} #{head['device_seq']} {head['hash']}"
        )
    lines.append(w.both(SIGNED_LINE, sep=w.sentence_gap))
    if (record.get("trust") or {}).get("root_fingerprint"):
        lines += [t for t in w.pair(ROOT_CHECK) if t]  # how to check the root fingerprint at the top
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
        *_words(record).pair(L["Purposes and your choices"]),
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
