"""Rows for the export tests: formula-injection payloads mixed with Chinese text."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from consentbooth.exports.rows import ExportRow

PAYLOADS = ("=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(1)", "\t=1", "  =1", "\r=1", "\n=1")
CJK_NAMES = ("王小明", "欧阳娜娜", "李娜", "司马相如", "张伟")


def hostile_row(i: int) -> ExportRow:
    p = PAYLOADS[i % len(PAYLOADS)]
    name = CJK_NAMES[i % len(CJK_NAMES)] if i % 3 else p + "张伟"
    return ExportRow(
        lead_id=f"00000000-0000-4000-8000-{i:012d}",
        event_id="e-1",
        event_name=p + "上海国际工业博览会" if i % 2 else "上海国际工业博览会",
        device_id="laptop-1",
        fields={
            "name": name,
            "company": f"{p}上海示例{i}",
            "title": p,
            "phone": f"+86139{i:08d}",
            "email": f"p{i}@example.cn",
            "wechat": p,
            "rating": "#N/A" if i % 7 == 0 else str(i % 5 + 1),
            "notes": f'{p} 备注,"引号"\r\n第二行',
        },
        purposes_granted=("sales_contact",) if i % 2 else ("sales_contact", "newsletter"),
        consent_time="2025-05-01T10:00:00+08:00",
        notice_version=1 + i % 3,
        notice_sha256="0f" * 32,
        certificate_id=f"c-{i}",
    )


@pytest.fixture
def hostile_rows() -> Callable[[int], Iterator[ExportRow]]:
    def make(n: int) -> Iterator[ExportRow]:
        return (hostile_row(i) for i in range(n))

    return make
