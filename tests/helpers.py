"""Small helpers shared by tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from consentbooth.services.booth import CaptureRequest

ZH_LEAD = {
    "name": "张伟",
    "company": "上海示例科技有限公司",
    "title": "采购经理",
    "phone": "138 0013 8000",
    "email": "zhang.wei@example.cn",
    "wechat": "zhangwei_88",
}


def zh_request(**overrides) -> CaptureRequest:
    values = {"fields": dict(ZH_LEAD), "purposes": ["sales_contact", "newsletter"], "operator": "WF"}
    values.update(overrides)
    return CaptureRequest(**values)


def file_state(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def sidecars(path: Path) -> list[Path]:
    return [p for p in (Path(str(path) + s) for s in ("-wal", "-shm", "-journal")) if p.exists()]
