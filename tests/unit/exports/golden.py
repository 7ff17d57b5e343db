"""The golden leads every preset is checked on: a Chinese name, a Western name, +86 phones, a
name and an email that start with "-", each consent state (granted, withdrawn, expired, never
granted), a newsletter-only person without a company and a name like 约翰·, and a person without
an email (HubSpot cannot import them). Expected files are written out in full in test_golden.py.
"""

from __future__ import annotations

from consentbooth.exports.rows import EXPIRED, GRANTED, NOT_GRANTED, WITHDRAWN, ExportRow

EVENT = "CIIF 2026 / 中国国际工业博览会"
SHA = "9f" * 32
QUESTIONS = ("interest", "timeframe")


def _row(n: int, fields: dict[str, str], consents: dict[str, str], *, time: str,
         email_opt_out: bool = False, do_not_call: bool = False) -> ExportRow:
    granted = tuple(sorted(code for code, state in consents.items() if state == GRANTED))
    return ExportRow(
        lead_id=f"00000000-0000-4000-8000-00000000000{n}",
        event_id="e-ciif-2026",
        event_name=EVENT,
        device_id="laptop-a",
        fields=fields,
        purposes_granted=granted,
        consent_time=time,
        notice_version=3,
        notice_sha256=SHA,
        certificate_id=f"c-{n}",
        consents=consents,
        email_opt_out=email_opt_out,
        do_not_call=do_not_call,
    )


ROWS = (
    # 1: a Chinese name with a compound surname; sales contact and newsletter granted
    _row(1, {"name": "欧阳娜娜", "company": "上海示例科技有限公司", "title": "采购经理",
             "phone": "+8613800138000", "email": "nana.ouyang@example.cn", "wechat": "nana_oy",
             "rating": "5", "notes": "对传感器感兴趣", "interest": "传感器", "timeframe": "Q3"},
         {"sales_contact": GRANTED, "newsletter": GRANTED},
         time="2026-11-30T02:08:35.061447+00:00"),
    # 2: a Western name; the newsletter withdrawn
    _row(2, {"name": "Anna Müller", "company": "Acme GmbH", "title": "Head of Purchasing",
             "phone": "+4915112345678", "email": "anna.mueller@example.de", "rating": "3"},
         {"sales_contact": GRANTED, "newsletter": WITHDRAWN},
         time="2026-11-30T09:15:00+00:00"),
    # 3: a name and an email that start with "-"; the newsletter grant lapsed
    _row(3, {"name": "-Anna-", "company": "-Dash Trading-", "phone": "+8613900139000",
             "email": "-anna@example.com", "notes": "=HYPERLINK(\"http://x.example\")"},
         {"sales_contact": GRANTED, "newsletter": EXPIRED},
         time="2026-12-01T23:59:59.999999+00:00"),
    # 4: newsletter only: no company, a transliterated name with nothing after the dot
    _row(4, {"name": "约翰·", "email": "john@example.org"},
         {"newsletter": GRANTED, "sales_contact": NOT_GRANTED},
         time="2026-12-02T00:00:00+00:00", do_not_call=True),
    # 5: a phone only (no email): sales contact granted, the newsletter never granted
    _row(5, {"name": "李雷", "company": "北京数据公司", "phone": "+8618612345678"},
         {"sales_contact": GRANTED},
         time="2026-12-02T08:30:00.5+00:00"),
)
