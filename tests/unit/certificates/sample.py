"""Sample domain objects for certificate tests, the benchmark and the example rendering."""

from __future__ import annotations

import math
import struct
import uuid
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from consentbooth.certificates.record import build_certificate_record
from consentbooth.domain.catalogue import standard_purposes
from consentbooth.domain.models import (
    Action,
    CollectionMethod,
    ConsentEvent,
    ConsentEventId,
    Decision,
    DeviceId,
    Event,
    EventId,
    Lead,
    LeadId,
    Organisation,
)
from consentbooth.domain.notice import Notice

SHANGHAI = timezone(timedelta(hours=8))


def signature_png(width: int = 240, height: int = 80) -> bytes:
    """A small RGBA PNG of a handwritten-looking stroke, made with zlib and struct only."""
    alpha = bytearray(width * height)

    def dot(cx: float, cy: float, r: float = 1.6) -> None:
        for y in range(max(0, int(cy - r)), min(height, int(cy + r) + 2)):
            for x in range(max(0, int(cx - r)), min(width, int(cx + r) + 2)):
                d = math.hypot(x - cx, y - cy)
                if d <= r:
                    alpha[y * width + x] = 255

    for i in range(1400):
        t = i / 1400
        x = 14 + t * (width - 28)
        y = height / 2 + math.sin(t * 19) * 18 * (1 - t * 0.5) + math.sin(t * 53) * 5
        dot(x, y)
    for i in range(200):  # an underline flourish
        t = i / 200
        dot(30 + t * 170, height - 12 - t * 6, 1.2)
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw += bytes((20, 40, 110, alpha[y * width + x]))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


ORGANISATION = Organisation(
    name="Example Booth Technology (Shanghai) Co., Ltd.",
    name_zh="示例展台科技(上海)有限公司",
    address="上海市浦东新区世纪大道 100 号 20 楼 / 20F, 100 Century Avenue, Pudong, Shanghai",
    contact_email="privacy@booth.example",
    contact_phone="+86 21 5555 0000",
    rights_contact="数据保护负责人 李娜 Li Na, Data Protection Officer — privacy@booth.example, +86 21 5555 0001",
)

EVENT = Event(
    id=EventId("9b1f3f0e-2c1d-4b7e-9a55-0d6a3c2b1e01"),
    name="2025 中国国际工业博览会 China International Industry Fair",
    starts_on=date(2025, 9, 23),
    ends_on=date(2025, 9, 27),
    place="国家会展中心(上海)National Exhibition and Convention Center, Shanghai",
    retention_days=365,
)

NOTICE = Notice(
    version=3,
    sections={
        "zh-CN": {
            "controller": "示例展台科技(上海)有限公司,privacy@booth.example",
            "purposes": "销售联系、产品资料、展会回访、电子简报;单独同意事项另行告知。",
            "methods": "收集、存储、使用;加密保存于展位电脑。",
            "categories": "姓名、公司、职务、手机、邮箱、微信。",
            "retention": "展会结束后 365 天。",
            "rights": "您可随时撤回同意,并可查阅、复制、更正、删除您的个人信息。",
            "contact": "privacy@booth.example",
        },
        "en": {
            "controller": "Example Booth Technology (Shanghai) Co., Ltd., privacy@booth.example",
            "purposes": "Sales contact, product information, follow-up, newsletter.",
            "methods": "Collection, storage, use; encrypted on the booth laptop.",
            "categories": "Name, company, title, mobile, email, WeChat.",
            "retention": "365 days after the show.",
            "rights": "Withdraw at any time; access, copy, correct or delete your data.",
            "contact": "privacy@booth.example",
        },
    },
)

FIELDS = {
    "name": "张伟",
    "company": "上海示例科技有限公司",
    "title": "采购经理 Purchasing Manager",
    "phone": "+86 138 0013 8000",
    "email": "zhang.wei@shilikeji.example.cn",
    "wechat": "zhangwei_sh",
}

CAPTURED_AT = datetime(2025, 9, 24, 14, 3, 27, tzinfo=SHANGHAI)

# Purposes shown and decided: some granted, a separate consent (with recipients) granted.
DECISIONS = {
    "sales_contact": Decision.GRANTED,
    "product_info": Decision.GRANTED,
    "event_followup": Decision.NOT_GRANTED,
    "newsletter": Decision.NOT_GRANTED,
    "partner_sharing": Decision.GRANTED,
    "cross_border": Decision.NOT_GRANTED,
}


def purposes():
    return standard_purposes(with_recipients=True)


def lead(*, signature: bytes | None) -> Lead:
    return Lead(
        id=LeadId("4f7c2a10-8d7e-4b3b-a1c2-5e6f7a8b9c0d"),
        event_id=EVENT.id,
        fields=dict(FIELDS),
        language="zh-CN",
        operator="staff-07",
        device_id=DeviceId("booth-laptop-3"),
        captured_at=CAPTURED_AT,
        collection_method=CollectionMethod.KIOSK,
        signature_png=signature,
    )


def consent_event(*, action: Action = Action.CONSENT) -> ConsentEvent:
    base = ConsentEvent(
        id=ConsentEventId("c0ffee00-1234-4abc-8def-0123456789ab"),
        action=Action.CONSENT,
        lead_id=LeadId("4f7c2a10-8d7e-4b3b-a1c2-5e6f7a8b9c0d"),
        event_id=EVENT.id,
        decisions=dict(DECISIONS),
        purposes_shown=tuple(DECISIONS),
        notice_version=NOTICE.version,
        notice_sha256=NOTICE.sha256("zh-CN"),
        language="zh-CN",
        channel="kiosk",
        collection_method=CollectionMethod.KIOSK.value,
        operator="staff-07",
        device_id=DeviceId("booth-laptop-3"),
        occurred_at=CAPTURED_AT,
        data_digest="5d41402abc4b2a76b9719d911017c592" * 2,
    )
    if action is Action.WITHDRAWAL:
        return replace(
            base,
            id=ConsentEventId("d1e2f3a4-5678-4abc-9def-0123456789ab"),
            action=Action.WITHDRAWAL,
            decisions={"partner_sharing": Decision.WITHDRAWN, "sales_contact": Decision.WITHDRAWN},
            purposes_shown=("sales_contact", "partner_sharing"),
            channel="email",
            collection_method=CollectionMethod.STAFF.value,
            operator="ops-li",
            occurred_at=datetime(2025, 11, 3, 10, 15, tzinfo=SHANGHAI),
            request_date=date(2025, 11, 2),
            note="来信要求停止销售联系与合作伙伴共享 / Asked by email to stop sales contact and sharing",
        )
    return base


# A withdrawal lists every purpose as it stands afterwards (sales contact and sharing withdrawn).
STATES_AFTER_WITHDRAWAL = {
    "sales_contact": "withdrawn",
    "product_info": "granted",
    "event_followup": "not_granted",
    "newsletter": "not_granted",
    "partner_sharing": "withdrawn",
    "case_study": "not_granted",
    "cross_border": "expired",
}
CHAIN_HEAD = {"device_id": "booth-laptop-3", "device_seq": 42, "hash": "9c1d" * 16}


def record(
    *,
    action: Action = Action.CONSENT,
    signature: bytes | None = None,
    root_fingerprint: str | None = None,
    states_after: dict[str, str] | None = None,
    chain_head: dict[str, object] | None = CHAIN_HEAD,
) -> dict[str, Any]:
    event = consent_event(action=action)
    if action is Action.WITHDRAWAL and states_after is None:
        states_after = STATES_AFTER_WITHDRAWAL
    return build_certificate_record(
        certificate_id=str(uuid.uuid4()),
        issued_at=event.occurred_at.astimezone(UTC) + timedelta(seconds=2),
        organisation=ORGANISATION,
        event=EVENT,
        lead=lead(signature=signature),
        consent_event=event,
        purposes=purposes(),
        notice=NOTICE,
        ledger_hash="a3f1c9e07b2d4e58" * 4,
        states_after=states_after,
        chain_head=chain_head,
        root_fingerprint=root_fingerprint,
    )
