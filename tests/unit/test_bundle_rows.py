"""Forged and malformed bundles: each row is checked by type and shape before the hub is touched.

A bundle is sealed to ops' PUBLIC key and signed by whoever made it, so its rows are input like any
other. These bundles are made by a real booth vault, altered, re-sealed and signed with that
booth's own key (a perfectly valid envelope around a hostile payload), then merged into a real hub.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from consentbooth.core.i18n import translate
from consentbooth.domain.bundle_rows import BUNDLE_ROWS
from consentbooth.exports import bundle as sealed
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.transfer import build_payload, merge_bundle, read_payload
from consentbooth.vault import sharing
from consentbooth.vault.merge import BundleRejected
from tests.conftest import PASSPHRASE
from tests.helpers import ZH_LEAD

PREFIX = "The bundle was rejected and nothing of it was merged: "
Tables = dict[str, list[dict]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("rows")
    secret, public = sealed.generate_ops_identity()
    booth = Booth.create(root / "booth.cbvault", PASSPHRASE, demo=True)
    booth.capture(CaptureRequest(
        fields={**ZH_LEAD, "interest": "robots"},
        purposes=["sales_contact", "newsletter"], operator="WF",
    ))
    payload, _ = build_payload(booth.ctx)
    hub = Booth.create(root / "hub.cbvault", PASSPHRASE, role="hub")
    yield {"booth": booth, "hub": hub, "secret": secret, "public": public, "payload": payload}
    hub.lock()
    booth.lock()


def _tables(payload: bytes) -> tuple[dict, dict[str, list[str]]]:
    """The manifest and each table's raw JSON lines of a payload."""
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        lines = {
            t: zf.read(f"tables/{t}.jsonl").decode().splitlines() for t in sharing.BUNDLE_TABLES
        }
    return manifest, lines


def _payload(manifest: bytes, lines: dict[str, list[str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for table, rows in lines.items():
            zf.writestr(f"tables/{table}.jsonl", "\n".join(rows) + "\n")
        zf.writestr("manifest.json", manifest)
    return buffer.getvalue()


def _b64(data: bytes) -> dict:
    return {"$b64": base64.b64encode(data).decode()}


def _row_change(table: str, change: Callable[[dict], object]) -> Callable[[dict, dict], None]:
    def alter(manifest: dict, lines: dict[str, list[str]]) -> None:
        row = json.loads(lines[table][0])
        result = change(row)
        lines[table][0] = result if isinstance(result, str) else json.dumps(row)

    return alter


def _body(record_change: Callable[[dict], object]) -> Callable[[dict], None]:
    """Change the ledger body (and its hash, so only the contract can tell)."""

    def change(row: dict) -> None:
        record = json.loads(base64.b64decode(row["body"]["$b64"]))
        replaced = record_change(record)
        body = json.dumps(record if replaced is None else replaced).encode()
        row["body"] = _b64(body)
        row["hash"] = hashlib.sha256(body).hexdigest()

    return change


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda row: row.__setitem__(key, value)


CASES: list[tuple[str, Callable[[dict, dict], None], str]] = [
    ("body as text", _row_change("ledger", _set("body", "eyJ9")), "“body” must be binary data written as base64."),
    ("body of bad base64", _row_change("ledger", _set("body", {"$b64": "!!"})), "“body” must be binary data"),
    ("body a list", _row_change("ledger", _body(lambda r: [])), "“body” is not a readable consent event."),
    (
        "event without id",
        _row_change("ledger", _body(lambda r: r["event"].pop("id"))),
        "“body” is not a readable consent event.",
    ),
    ("device_seq as text", _row_change("ledger", _set("device_seq", "1")), "“device_seq” must be a whole number."),
    ("unknown action", _row_change("ledger", _set("action", "grant_all")), "“action” must be one of consent, "),
    ("signature missing", _row_change("ledger", lambda r: r.pop("signature")), "“signature” is missing."),
    (
        "an extra column",
        _row_change("leads", _set("owner", "me")),
        "“owner” is not expected here; allowed are captured_at",
    ),
    ("details not JSON", _row_change("leads", _set("fields", "{")), "“fields” must hold a JSON object in text."),
    (
        "a detail as an object",
        _row_change("leads", _set("fields", '{"company": {"a": 1}}')),
        "“fields” must hold a JSON object",
    ),
    (
        "a field name with a space",
        _row_change("leads", _set("fields", '{"first name": "Wei"}')),
        "“fields” is not a usable field name.",
    ),
    (
        "guardian as text",
        _row_change("leads", _set("guardian", '"mother"')),
        "“guardian” must hold a JSON object in text.",
    ),
    (
        "guardian without relationship",
        _row_change("leads", _set("guardian", '{"name": "张敏"}')),
        "“guardian” must be an object with “name” and “relationship”.",
    ),
    (
        "captured_at not a time",
        _row_change("leads", _set("captured_at", "yesterday")),
        "“captured_at” must be a date and time (ISO 8601).",
    ),
    (
        "language unknown",
        _row_change("leads", _set("language", "fr")),
        "“language” must be one of en, ja, ko, zh-CN, zh-Hant.",
    ),
    ("event data malformed", _row_change("events", _set("data", '{"id": 5}')), "“data” is not a readable event."),
    (
        "purpose data malformed",
        _row_change("purposes", _set("data", '{"code": "x"}')),
        "“data” is not a readable purpose.",
    ),
    ("cert_pem a number", _row_change("signers", _set("cert_pem", {"$b64": 5})), "“cert_pem” must be binary data"),
    ("a row as a list", _row_change("leads", lambda r: "[1, 2]"), "“leads” must be a JSON object."),
    ("a line not JSON", _row_change("ledger", lambda r: '{"id": '), "The input is not valid JSON ("),
    (
        "a row nested 100,000 deep",
        _row_change("leads", lambda r: "[" * 100_000 + "]" * 100_000),
        "The input is nested too deeply",
    ),
    (
        "manifest without device",
        lambda m, lines: m.pop("device_id"),
        "its manifest is malformed: “device_id” is missing.",
    ),
    (
        "manifest leads as text",
        lambda m, lines: m.__setitem__("leads", "1"),
        "its manifest is malformed: “leads” must be a whole number.",
    ),
]


@pytest.mark.parametrize("alter,expected", [(a, e) for _n, a, e in CASES], ids=[n for n, _a, _e in CASES])
def test_a_malformed_row_is_one_sentence_and_nothing_merged(world: dict, alter, expected: str) -> None:
    manifest, lines = _tables(world["payload"])
    alter(manifest, lines)
    payload = _payload(json.dumps(manifest).encode(), lines)
    data = sealed.seal_bundle(payload=payload, identity=world["booth"].ctx.identity, recipients=[world["public"]])
    hub: Booth = world["hub"]
    before = _counts(hub)
    result = merge_bundle(hub.ctx, data=data, identity_text=world["secret"], name="forged")
    assert not result.ok and result.code == "rejected", result
    assert result.reason.startswith(PREFIX) and expected in result.reason, result.reason
    assert "\n" not in result.reason
    chinese = translate(result.reason, "zh-CN")
    assert chinese.startswith("数据包被拒绝") and "{" not in chinese.replace('{"', ""), chinese
    assert _counts(hub) == before
    assert before["leads"] == before["ledger"] == 0


def _counts(hub: Booth) -> dict[str, int]:
    tables = ("leads", "ledger", "signers", "events", "purposes", "certificates", "consent_state")
    return {t: hub.vault.read(f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def test_the_line_and_table_are_named(world: dict) -> None:
    manifest, lines = _tables(world["payload"])
    lines["leads"].append(lines["leads"][0].replace('"language": "zh-CN"', '"language": 1'))
    with pytest.raises(BundleRejected) as caught:
        read_payload(_payload(json.dumps(manifest).encode(), lines))
    assert str(caught.value) == (
        PREFIX + "line 2 of tables/leads.jsonl is malformed: “language” must be one of en, ja, ko, zh-CN, zh-Hant."
    )


def test_unreadable_content_and_the_reason_given_once(world: dict) -> None:
    """``BundleRejected`` took ``reason`` twice (TypeError, "unexpected failure") on this road."""
    for payload, reason in ((b"not a zip", "BadZipFile"), (_payload(b"{}", {})[:-30], "BadZipFile")):
        with pytest.raises(BundleRejected) as caught:
            read_payload(payload)
        assert str(caught.value) == PREFIX + f"its content is unreadable ({reason})."
    no_manifest = io.BytesIO()
    with zipfile.ZipFile(no_manifest, "w") as zf:
        zf.writestr("tables/leads.jsonl", "")
    with pytest.raises(BundleRejected, match=r"unreadable \(KeyError\)"):
        read_payload(no_manifest.getvalue())
    assert str(BundleRejected("ledger event {id} is invalid ({reason}).", id="e1", reason="r")) == (
        PREFIX + "ledger event e1 is invalid (r)."
    )


def test_another_format_is_named_as_such(world: dict) -> None:
    manifest, lines = _tables(world["payload"])
    manifest["schema"] = "consentbooth.transfer/99"
    manifest["something_new"] = True
    with pytest.raises(BundleRejected) as caught:
        read_payload(_payload(json.dumps(manifest).encode(), lines))
    assert str(caught.value) == PREFIX + "it has an unknown content format."


def test_a_non_canonical_ledger_body_is_refused_not_a_crash(world: dict) -> None:
    """An integer beyond JSON's canonical range (RFC 8785) made ledger.check_chain raise."""
    manifest, lines = _tables(world["payload"])
    _row_change("ledger", _body(lambda r: r["event"]["notice"].__setitem__("version", 10**30)))(manifest, lines)
    data = sealed.seal_bundle(
        payload=_payload(json.dumps(manifest).encode(), lines),
        identity=world["booth"].ctx.identity,
        recipients=[world["public"]],
    )
    result = merge_bundle(world["hub"].ctx, data=data, identity_text=world["secret"], name="big")
    assert (result.ok, result.code) == (False, "rejected")
    assert result.reason == PREFIX + "its ledger holds an event that is not canonical JSON."


def test_a_real_payload_reads_back_exactly(world: dict) -> None:
    booth: Booth = world["booth"]
    manifest, rows = read_payload(world["payload"])
    assert manifest["device_id"] == booth.device_id and manifest["leads"] == 1
    for table in sharing.BUNDLE_TABLES:
        names = sharing.column_names(table)
        stored = [
            {n: bytes(v) if isinstance(v, memoryview) else v for n, v in zip(names, row, strict=True)}
            for row in sharing.dump_table(booth.vault, table)
        ]
        assert rows[table] == stored, table


def test_the_row_shapes_are_the_bundle_tables() -> None:
    """Declared twice by necessity (the domain cannot import the vault): kept equal here."""
    assert list(BUNDLE_ROWS) == list(sharing.BUNDLE_TABLES)
    for table, model in BUNDLE_ROWS.items():
        assert list(model.model_fields) == sharing.column_names(table), table


def test_read_payload_is_used_by_the_merge(tmp_path: Path) -> None:
    import inspect

    from consentbooth.services import transfer

    assert "read_payload(" in inspect.getsource(transfer.merge_bundle)
