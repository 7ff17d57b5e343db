"""Synthetic leads for benchmarks (Chinese and Latin names), generated, never committed."""

from __future__ import annotations

import random
from collections.abc import Iterator

from consentbooth.services.booth import Booth, CaptureRequest

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红玲建国志文斌辉鹏飞宇浩然子轩欣怡梓涵"
LATIN_FIRST = ["Emma", "Liam", "Olivia", "Noah", "Sophie", "Lukas", "Mia", "Jonas", "Anna", "Mateo", "Chloé", "Yuki"]
LATIN_LAST = ["Schmidt", "Müller", "Garcia", "Smith", "Rossi", "Dubois", "Tanaka", "Kowalski", "Jensen", "Silva"]
COMPANIES = [
    "上海示例科技有限公司",
    "北京样本智能",
    "深圳演示电子",
    "Acme GmbH",
    "Globex Ltd",
    "Initech SA",
    "杭州测试仪器",
]
PURPOSE_SETS = [
    ["sales_contact"],
    ["sales_contact", "newsletter"],
    ["product_info"],
    ["event_followup", "sales_contact"],
]


def fake_request(rnd: random.Random, i: int) -> CaptureRequest:
    if rnd.random() < 0.7:
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
    else:
        name = f"{rnd.choice(LATIN_FIRST)} {rnd.choice(LATIN_LAST)}"
    phone = rnd.choice(("138", "139", "150", "151", "186", "188", "135", "137")) + "".join(
        rnd.choice("0123456789") for _ in range(8)
    )
    return CaptureRequest(
        fields={
            "name": name,
            "company": rnd.choice(COMPANIES),
            "phone": phone,
            "email": f"user{i}@example.com",
        },
        purposes=rnd.choice(PURPOSE_SETS),
        language=rnd.choice(("zh-CN", "en")),
        operator=rnd.choice(("WF", "AM")),
    )


def requests(n: int, seed: int = 42) -> Iterator[CaptureRequest]:
    rnd = random.Random(seed)
    for i in range(n):
        yield fake_request(rnd, i)


def fill(booth: Booth, n: int, *, batch: int = 2000, seed: int = 42) -> None:
    """Capture ``n`` synthetic leads through the real service, in batched transactions."""
    pending: list[CaptureRequest] = []
    for request in requests(n, seed):
        pending.append(request)
        if len(pending) == batch:
            booth.capture_batch(pending)
            pending = []
    if pending:
        booth.capture_batch(pending)
