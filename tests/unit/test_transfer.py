"""Bundles from two laptops, withdrawals on a laptop and at the hub, merged in any order."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from consentbooth.crypto.enrolment import read_enrolment
from consentbooth.exports.bundle import generate_ops_identity
from consentbooth.services import transfer
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.transfer import merge_bundle, merge_files

PASS = "Correct-Horse-42!"


def _lead(booth: Booth, name: str, phone: str) -> str:
    result = booth.capture(
        CaptureRequest(
            fields={"name": name, "phone": phone, "email": f"{phone}@example.cn"},
            purposes=["sales_contact", "newsletter"],
        )
    )
    assert result.lead_id
    return result.lead_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("transfer")
    secret, public = generate_ops_identity()
    # ops' hub is the organisation: it enrols both laptops (each test merges into a copy of it)
    org = Booth.create(root / "org.cbvault", PASS, role="hub")
    a, b = (_enrolled(org, root / f"{n}.cbvault") for n in "ab")
    org.lock()
    a1, a2 = _lead(a, "张伟", "13800138001"), _lead(a, "Emma Schmidt", "13800138002")
    b1, b2 = _lead(b, "李娜", "13900139001"), _lead(b, "王芳", "13900139002")
    a.create_bundle(recipient=public, target=root / "a1.age")
    b.create_bundle(recipient=public, target=root / "b1.age")
    a.withdraw(lead_id=a1, purposes=["newsletter"], channel="email")
    a.create_bundle(recipient=public, target=root / "a2.age")
    for booth in (a, b):
        booth.lock()
    return {"root": root, "secret": secret, "public": public, "a1": a1, "a2": a2, "b1": b1, "b2": b2}


def _enrolled(org: Booth, path: Path) -> Booth:
    made = org.enrol_device()
    return Booth.create(path, PASS, demo=True, enrolment=read_enrolment(made.data, made.code))


def _hub(world: dict, tmp_path: Path) -> Booth:
    """A fresh copy of the organisation's hub vault, which enrolled laptops A and B."""
    shutil.copy(world["root"] / "org.cbvault", tmp_path / "hub.cbvault")
    return Booth.unlock(tmp_path / "hub.cbvault", PASS)


def _snapshot(hub: Booth) -> tuple:
    return (
        hub.vault.read("SELECT id, fields, erased_at, device_id FROM leads ORDER BY id"),
        hub.vault.read("SELECT lead_id, purpose, state, since FROM consent_state ORDER BY 1, 2"),
        hub.vault.read("SELECT id, hash FROM ledger ORDER BY id"),
    )


def _granted(hub: Booth, lead: str) -> tuple[str, ...]:
    return hub.record(lead).granted()


@pytest.mark.parametrize("order", list(itertools.permutations(["a1", "a2", "b1"])))
def test_merge_in_any_order(world: dict, tmp_path: Path, order: tuple[str, ...]) -> None:
    root = world["root"]
    hub = _hub(world, tmp_path)
    try:
        results = hub.merge_files(paths=[root / f"{n}.age" for n in order], identity_text=world["secret"])
        # a1 is laptop A's history before its withdrawal: once a2 is in, a1 is behind and refused
        behind = "a1" if order.index("a1") > order.index("a2") else None
        assert [(n, r.ok or r.code) for n, r in zip(order, results, strict=True)] == [
            (n, transfer.CHAIN_BEHIND if n == behind else True) for n in order
        ], results
        # ops record a withdrawal at the hub for a lead of laptop B
        hub.withdraw(lead_id=world["b1"], purposes=["sales_contact"], channel="phone", note="asked by phone")
        # stale bundles after newer ones, then everything again: nothing changes
        before = _snapshot(hub)
        again = hub.merge_files(paths=[root / n for n in ("b1.age", "a1.age", "a2.age")], identity_text=world["secret"])
        assert [(r.ok, r.new, r.updated, r.ledger_events) for r in again] == [
            (True, 0, 0, 0), (False, 0, 0, 0), (True, 0, 0, 0)
        ]
        assert again[1].code == transfer.CHAIN_BEHIND
        assert _snapshot(hub) == before
        assert hub.count() == 4
        assert _granted(hub, world["a1"]) == ("sales_contact",)  # withdrawn on laptop A
        assert _granted(hub, world["a2"]) == ("newsletter", "sales_contact")
        assert _granted(hub, world["b1"]) == ("newsletter",)  # withdrawn at the hub
        assert _granted(hub, world["b2"]) == ("newsletter", "sales_contact")
        devices = {r[3] for r in hub.vault.read("SELECT id, fields, erased_at, device_id FROM leads")}
        assert len(devices) == 2 and hub.device_id not in devices  # leads keep their devices
        report = hub.verify_ledger()
        assert report.ok and report.checked == 6  # 4 consents, 1 laptop withdrawal, 1 hub withdrawal
    finally:
        hub.lock()


def test_flipped_byte_is_rejected_and_nothing_merged(world: dict, tmp_path: Path) -> None:
    hub = _hub(world, tmp_path)
    try:
        data = bytearray((world["root"] / "a2.age").read_bytes())
        for offset in (len(data) // 2, len(data) - 5, 200):
            broken = bytearray(data)
            broken[offset] ^= 0x40
            result = merge_bundle(hub.ctx, data=bytes(broken), identity_text=world["secret"], name="broken")
            assert not result.ok
            assert "bundle" in result.reason.lower()
            assert hub.count() == 0
            assert hub.vault.read("SELECT count(*) FROM ledger")[0][0] == 0
    finally:
        hub.lock()


def test_bundle_cannot_be_read_without_the_ops_identity(world: dict, tmp_path: Path) -> None:
    other_secret, _ = generate_ops_identity()
    hub = _hub(world, tmp_path)
    try:
        result = merge_bundle(hub.ctx, data=(world["root"] / "a1.age").read_bytes(), identity_text=other_secret)
        assert not result.ok and hub.count() == 0
        raw = (world["root"] / "a1.age").read_bytes()
        assert "张伟".encode() not in raw and b"13800138001" not in raw
    finally:
        hub.lock()


def test_erasure_travels_and_is_never_undone(world: dict, tmp_path: Path) -> None:
    root, secret, public = world["root"], world["secret"], world["public"]
    hub = _hub(world, tmp_path)
    try:
        assert hub.merge_files(paths=[root / "b1.age"], identity_text=secret)[0].ok
        hub.erase(lead_id=world["b2"])
        assert hub.merge_files(paths=[root / "b1.age"], identity_text=secret)[0].ok  # stale bundle
        record = hub.record(world["b2"])
        assert record.lead.fields == {} and record.granted() == ()
        assert hub.search("王芳") == []
    finally:
        hub.lock()
    assert public.startswith("age1")


def test_rejections_carry_a_code_and_read_in_chinese(world: dict, tmp_path: Path) -> None:
    """The reason is the English sentence (CLI, JSON) and a template the console translates."""
    from consentbooth.core.i18n import translate

    hub = _hub(world, tmp_path)
    try:
        data = bytearray((world["root"] / "a1.age").read_bytes())
        data[len(data) // 2] ^= 0x01
        damaged = tmp_path / "damaged.age"
        damaged.write_bytes(bytes(data))
        own = tmp_path / "own.age"
        hub.create_bundle(recipient=world["public"], target=own)
        missing, damaged_result, own_result = merge_files(
            hub.ctx, paths=[tmp_path / "missing.age", damaged, own], identity_text=world["secret"]
        )
        assert (missing.ok, missing.code) == (False, transfer.UNREADABLE)
        assert missing.reason == "cannot be read (No such file or directory)"
        assert translate(missing.reason, "zh-CN") == "无法读取该文件（No such file or directory）"

        assert (damaged_result.ok, damaged_result.code) == (False, transfer.DAMAGED)
        assert damaged_result.reason.startswith("The bundle is damaged or was not encrypted for this key: ")
        assert translate(damaged_result.reason, "zh-CN").startswith("数据包已损坏，或不是为此密钥加密的：")
        assert "the " not in translate(damaged_result.reason, "zh-CN")  # the reason inside too

        assert (own_result.ok, own_result.code) == (False, transfer.REJECTED)
        assert own_result.reason == (
            "The bundle was rejected and nothing of it was merged: it comes from this very vault."
        )
        assert translate(own_result.reason, "zh-CN") == "数据包被拒绝，其中任何内容都未合并：它正是来自本保险库。"
        good = hub.merge_files(paths=[world["root"] / "b1.age"], identity_text=world["secret"])[0]
        assert (good.ok, good.code, good.reason) == (True, "", "")
    finally:
        hub.lock()
