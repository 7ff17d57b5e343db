"""Consent-scoped exports and suppression lists through the services, on a real vault."""

from __future__ import annotations

import csv
import json
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consentbooth.core.errors import StorageError, ValidationError
from consentbooth.exports.sanitize import restore
from consentbooth.exports.suppression import hash_email
from consentbooth.services.booth import Booth, CaptureRequest

PASS = "Correct-Horse-42!"
CODES = ("sales_contact", "newsletter", "product_info")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _person(i: int, purposes: list[str]) -> CaptureRequest:
    return CaptureRequest(
        fields={"name": f"测试{chr(0x4E00 + i)}", "phone": f"138{i:08d}", "email": f"p{i}@example.cn"},
        purposes=purposes,
    )


def test_export_only_current_grants_with_evidence(booth: Booth, tmp_path: Path) -> None:
    a = booth.capture(_person(1, ["sales_contact", "newsletter"])).lead_id
    b = booth.capture(_person(2, ["sales_contact"])).lead_id
    c = booth.capture(_person(3, ["newsletter"])).lead_id
    booth.issue_certificate(booth.record(a).ledger_ids[0])
    booth.withdraw(lead_id=b, purposes=["sales_contact"])
    out = tmp_path / "sales.csv"
    assert booth.export_leads(purposes=["sales_contact"], target=out, recipient="Sales team") == 1
    rows = _read_csv(out)
    assert [r["lead_id"] for r in rows] == [a]
    assert rows[0]["certificate_id"] and rows[0]["notice_version"] == "1"
    both = tmp_path / "both.csv"
    assert booth.export_leads(purposes=["sales_contact", "newsletter"], target=both) == 1
    news = tmp_path / "news.jsonl"
    assert booth.export_leads(purposes=["newsletter"], target=news, format="jsonl") == 2
    ids = {json.loads(line)["lead_id"] for line in news.read_text(encoding="utf-8").splitlines()}
    assert ids == {a, c}
    log = booth.sharing_log()
    assert [e.count for e in log] == [2, 1, 1]
    assert log[-1].recipient == "Sales team" and log[-1].purposes == ("sales_contact",)


def test_expired_grants_are_not_exported(booth: Booth, tmp_path: Path) -> None:
    booth.capture(_person(1, ["sales_contact"]))
    later = datetime.now(UTC) + timedelta(days=366)
    assert booth.export_leads(purposes=["sales_contact"], target=tmp_path / "x.csv", now=later) == 0


def test_bad_export_requests(booth: Booth, tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        booth.export_leads(purposes=[], target=tmp_path / "x.csv")
    with pytest.raises(ValidationError):
        booth.export_leads(purposes=["telepathy"], target=tmp_path / "x.csv")
    with pytest.raises(StorageError):
        booth.export_leads(purposes=["sales_contact"], target=tmp_path / "missing-dir" / "x.csv")
    assert booth.sharing_log() == []


def test_ten_thousand_hostile_leads_export_safely(booth: Booth, tmp_path: Path) -> None:
    payloads = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(1)", "\t=1", "  =1", "\r=1", "\n=1"]
    requests = []
    for i in range(10_000):
        p = payloads[i % len(payloads)]
        requests.append(
            CaptureRequest(
                fields={"name": f"张伟{chr(0x4E00 + i % 2000)}", "company": f"{p}上海示例{i}",
                        "title": p, "phone": f"139{i:08d}", "notes": f"{p} 备注"},
                purposes=["sales_contact"],
            )
        )
    booth.capture_batch(requests)
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"hostile.{fmt}"
        assert booth.export_leads(purposes=["sales_contact"], target=out, format=fmt, preset="salesforce") == 10_000
        if fmt == "csv":
            assert out.read_bytes().startswith(b"\xef\xbb\xbf")
            cells = [v for row in _read_csv(out) for v in row.values()]
        else:
            sheet = load_workbook(out, read_only=True).active
            cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert not [c for c in cells if c.lstrip(" ")[:1] in TRIGGERS]
        restored = {restore(c) for c in cells}
        assert {p.strip() for p in payloads} <= restored  # capture trims outer whitespace
        assert any("上海示例" in c for c in cells) and any(c.startswith("张") for c in cells)


def test_suppression_lists_withdrawn_and_erased(booth: Booth, tmp_path: Path) -> None:
    a = booth.capture(_person(1, ["sales_contact", "newsletter"])).lead_id
    b = booth.capture(_person(2, ["sales_contact"])).lead_id
    booth.capture(_person(3, ["newsletter"]))
    booth.withdraw(lead_id=a, purposes=["newsletter"], channel="email")
    booth.erase(lead_id=b)
    plain = tmp_path / "s.csv"
    assert booth.export_suppression(target=plain) == 2
    rows = {r["lead_id"]: r for r in _read_csv(plain)}
    assert rows[a]["email"] == "p1@example.cn" and rows[a]["purposes_withdrawn"] == "newsletter"
    assert rows[b]["erased"] == "true" and rows[b]["email"] == ""
    hashed = tmp_path / "h.csv"
    booth.export_suppression(target=hashed, hashed=True)
    hrows = {r["lead_id"]: r for r in _read_csv(hashed)}
    assert hrows[a]["email_sha256"] == hash_email("p1@example.cn")
    assert hrows[b]["email_sha256"] == hash_email("p2@example.cn")  # still reaches the CRM
    assert "p1@example.cn" not in hashed.read_text(encoding="utf-8-sig")


actions = st.lists(
    st.one_of(
        st.tuples(st.just("capture"), st.lists(st.sampled_from(CODES), unique=True, max_size=3)),
        st.tuples(st.just("withdraw"), st.integers(0, 7), st.sampled_from(CODES)),
        st.tuples(st.just("erase"), st.integers(0, 7)),
    ),
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=actions, chosen=st.lists(st.sampled_from(CODES), unique=True, min_size=1, max_size=2),
       days=st.sampled_from([0, 45, 400]))
def test_export_and_suppression_match_the_history(history: list, chosen: list[str], days: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        booth = Booth.create(Path(folder) / "p.cbvault", PASS, demo=True)
        try:
            # newsletter grants expire after 30 days; the others after the event's 365
            purposes = [replace(p, retention_days=30) if p.code == "newsletter" else p for p in booth.purposes()]
            booth.configure(purposes=purposes)
            model: dict[str, dict] = {}
            leads: list[str] = []
            for step in history:
                if step[0] == "capture":
                    result = booth.capture(_person(len(leads) + 1, list(step[1])))
                    if result.lead_id:
                        leads.append(result.lead_id)
                        model[result.lead_id] = {"granted": set(step[1]), "withdrawn": set(), "erased": False}
                elif leads:
                    lead = leads[step[1] % len(leads)]
                    person = model[lead]
                    if person["erased"]:
                        continue
                    if step[0] == "withdraw" and step[2] in person["granted"]:
                        booth.withdraw(lead_id=lead, purposes=[step[2]])
                        person["granted"].discard(step[2])
                        person["withdrawn"].add(step[2])
                    elif step[0] == "erase":
                        booth.erase(lead_id=lead)
                        person["withdrawn"] |= person["granted"]
                        person["granted"] = set()
                        person["erased"] = True
            now = datetime.now(UTC) + timedelta(days=days)

            def current(person: dict) -> set[str]:
                alive = set(person["granted"])
                if days > 30:
                    alive.discard("newsletter")
                if days > 365:
                    alive = set()
                return alive

            expected = {lead for lead, p in model.items() if set(chosen) <= current(p)}
            out = Path(folder) / "e.csv"
            booth.export_leads(purposes=chosen, target=out, now=now)
            assert {r["lead_id"] for r in _read_csv(out)} == expected
            sup = Path(folder) / "s.csv"
            booth.export_suppression(target=sup)
            expected_sup = {lead for lead, p in model.items() if p["withdrawn"] or p["erased"]}
            assert {r["lead_id"] for r in _read_csv(sup)} == expected_sup
        finally:
            booth.lock()


def test_qualifying_answers_are_exported_as_their_event_question_columns(booth: Booth, tmp_path: Path) -> None:
    event = booth.current_event()
    assert [q.key for q in event.questions] == ["interest", "timeframe"]  # the defaults
    fields = {"name": "张伟", "phone": "13800138000", "interest": "Sensors", "timeframe": "Q3"}
    lead = booth.capture(CaptureRequest(fields=fields, purposes=["sales_contact"])).lead_id
    for preset in ("generic", "salesforce", "hubspot"):
        out = tmp_path / f"{preset}.csv"
        assert booth.export_leads(purposes=["sales_contact"], target=out, preset=preset) == 1
        (row,) = _read_csv(out)
        assert (row["interest"], row["timeframe"]) == ("Sensors", "Q3"), preset
    xlsx = tmp_path / "sales.xlsx"
    booth.export_leads(purposes=["sales_contact"], target=xlsx, format="xlsx")
    header = [c.value for c in next(load_workbook(xlsx).active.iter_rows(max_row=1))]
    assert header.index("interest") < header.index("purposes_granted")
    assert booth.record(lead).lead.fields["interest"] == "Sensors"
