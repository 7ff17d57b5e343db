"""Consent-scoped exports and suppression lists through the services, on a real vault."""

from __future__ import annotations

import csv
import json
import tempfile
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consentbooth.core.errors import StorageError, UserFacingError, ValidationError
from consentbooth.exports.sanitize import is_dangerous, restore
from consentbooth.exports.suppression import hash_email
from consentbooth.services.booth import Booth, CaptureRequest

PASS = "Correct-Horse-42!"
CODES = ("sales_contact", "newsletter", "product_info")


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
            assert not [c for c in cells if is_dangerous(c)]  # what a spreadsheet would run: prefixed
            restored = {restore(c) for c in cells}
            assert any(c.startswith("+86139") for c in cells)  # E.164 phones exactly as stored
        else:
            sheet = load_workbook(out, read_only=True).active
            cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
            with zipfile.ZipFile(out) as z:
                assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")  # text cells, never formulas
            restored = set(cells)  # nothing to undo: no apostrophe in XLSX
            assert not [c for c in cells if c.startswith("'")]
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
    fields = {"name": "张伟", "phone": "13800138000", "email": "zhang.wei@example.cn",
              "interest": "Sensors", "timeframe": "Q3"}
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


# ---------------------------------------------------------------------------------------------
# Presets through the service: consent states, rejects, preview, progress, opt-out files


def _states_vault(booth: Booth) -> dict[str, str]:
    """Four people, each with another state of the newsletter: granted, withdrawn, lapsed (its
    grant lives 30 days), never granted; all hold sales_contact for a year."""
    purposes = [replace(p, retention_days=30) if p.code == "newsletter" else p for p in booth.purposes()]
    booth.configure(purposes=purposes)
    people = {
        "granted": (
            {"name": "欧阳娜娜", "phone": "13800138000", "email": "nana@example.cn"},
            ["sales_contact", "newsletter"],
        ),
        "withdrawn": (
            {"name": "Anna Müller", "phone": "+4915112345678", "email": "anna@example.de"},
            ["sales_contact", "newsletter"],
        ),
        "expired": (
            {"name": "-Anna-", "phone": "13900139000", "email": "-anna@example.com"},
            ["sales_contact", "newsletter"],
        ),
        "not_granted": ({"name": "李雷", "phone": "18612345678"}, ["sales_contact"]),
    }
    ids = {state: booth.capture(CaptureRequest(fields=f, purposes=p)).lead_id for state, (f, p) in people.items()}
    booth.withdraw(lead_id=ids["withdrawn"], purposes=["newsletter"])
    return ids


def test_hubspot_export_fills_consent_columns_from_each_state_and_lists_rejects(booth: Booth, tmp_path: Path) -> None:
    ids = _states_vault(booth)
    later = datetime.now(UTC) + timedelta(days=45)  # the newsletter grants have lapsed by now...
    out = tmp_path / "hubspot.csv"
    result = booth.export_leads(purposes=["sales_contact"], target=out, preset="hubspot", now=later)
    assert int(result) == 3 and result.rejected == 1  # 李雷 has no email: HubSpot matches on it
    rows = {r["ConsentBooth Lead ID"]: r for r in _read_csv(out)}
    assert set(rows) == {ids["granted"], ids["withdrawn"], ids["expired"]}
    # ...so nobody has a current newsletter grant: everyone is a non-marketing contact
    assert {r["Marketing contact status"] for r in rows.values()} == {"Non-marketing contact"}
    assert rows[ids["withdrawn"]]["Subscription: Newsletter"] == "Unsubscribed"
    assert rows[ids["expired"]]["Subscription: Newsletter"] == "Unsubscribed"
    assert rows[ids["expired"]]["Last Name"] == "-Anna-" and rows[ids["expired"]]["Email"] == "-anna@example.com"
    assert {r["Lifecycle Stage"] for r in rows.values()} == {"Lead"}
    assert rows[ids["granted"]]["Mobile Phone Number"] == "+8613800138000"
    assert result.rejects_file == tmp_path / "hubspot.rejects.csv"
    assert _read_csv(result.rejects_file) == [
        {
            "lead_id": ids["not_granted"],
            "column": "Email",
            "reason": "the required column “Email” would be empty (email is missing)",
        }
    ]
    assert booth.sharing_log()[0].count == 3 and booth.sharing_log()[0].kind == "export:hubspot"
    # today two newsletter grants are current: marketing contacts, subscribed
    now = booth.export_leads(purposes=["sales_contact", "newsletter"], target=out, preset="hubspot")
    rows = _read_csv(out)
    assert int(now) == 2 and now.rejected == 0
    assert {r["ConsentBooth Lead ID"] for r in rows} == {ids["granted"], ids["expired"]}
    assert {(r["Marketing contact status"], r["Subscription: Newsletter"]) for r in rows} == {
        ("Marketing contact", "Subscribed")
    }
    assert not (tmp_path / "hubspot.rejects.csv").exists()  # the earlier list no longer applies


def test_salesforce_rows_never_miss_a_required_field(booth: Booth, tmp_path: Path) -> None:
    booth.capture(CaptureRequest(fields={"name": "约翰·", "email": "john@example.org"}, purposes=["newsletter"]))
    out = tmp_path / "sf.csv"
    result = booth.export_leads(purposes=["newsletter"], target=out, preset="salesforce")
    (row,) = _read_csv(out)
    assert (row["Last Name"], row["Company"], row["First Name"]) == ("约翰", "[not provided]", "")
    assert (row["Email Opt Out"], row["Do Not Call"]) == ("0", "1")  # newsletter: email only
    assert result.rejected == 0 and result.rejects_file is None


def test_preview_shows_the_first_rows_and_writes_nothing(booth: Booth, tmp_path: Path) -> None:
    _states_vault(booth)
    before = sorted(tmp_path.iterdir())
    preview = booth_preview(booth, preset="hubspot")
    assert preview.total == 4 and preview.header[:3] == ("First Name", "Last Name", "Email")
    assert len(preview.rows) == 3 and len(preview.rejects) == 1
    assert [r[1] for r in preview.rows] == ["欧阳", "Müller", "-Anna-"]
    assert booth.sharing_log() == [] and sorted(tmp_path.iterdir()) == before


def booth_preview(booth: Booth, **kwargs):
    from consentbooth.services.exports import preview_export

    return preview_export(booth.ctx, purposes=["sales_contact"], **kwargs)


def test_progress_has_a_total(booth: Booth, tmp_path: Path) -> None:
    booth.capture_batch(
        [
            CaptureRequest(
                fields={"name": "测试" + chr(0x4E00 + i), "phone": f"138{i:08d}"}, purposes=["sales_contact"]
            )
            for i in range(1200)
        ]
    )
    seen: list[tuple[int, int]] = []
    booth.export_leads(purposes=["sales_contact"], target=tmp_path / "x.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 1200) and seen[-1] == (1200, 1200)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and {t for _, t in seen} == {1200}
    for lead_id in [r["lead_id"] for r in _read_csv(tmp_path / "x.csv")][:3]:
        booth.withdraw(lead_id=lead_id, purposes=["sales_contact"])
    seen.clear()
    booth.export_suppression(target=tmp_path / "s.csv", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)


def test_crm_opt_out_files_from_the_vault(booth: Booth, tmp_path: Path) -> None:
    a = booth.capture(_person(1, ["sales_contact", "newsletter"])).lead_id
    b = booth.capture(_person(2, ["sales_contact", "newsletter"])).lead_id
    c = booth.capture(_person(3, ["sales_contact"])).lead_id
    booth.withdraw(lead_id=a, purposes=["sales_contact", "newsletter"])  # nothing left
    booth.withdraw(lead_id=b, purposes=["newsletter"])  # sales may still email and call
    booth.erase(lead_id=c)
    sf = tmp_path / "sf.csv"
    result = booth.export_suppression(target=sf, preset="salesforce-optout", recipient="CRM admin")
    rows = {r["ConsentBooth Lead ID"]: r for r in _read_csv(sf)}
    assert (rows[a]["Email Opt Out"], rows[a]["Do Not Call"]) == ("1", "1")
    assert (rows[b]["Email Opt Out"], rows[b]["Do Not Call"]) == ("", "")
    assert int(result) == 2 and result.rejected == 1  # c was erased: no email to match on
    hub = tmp_path / "hub.csv"
    assert booth.export_suppression(target=hub, preset="hubspot-optout") == 1
    assert _read_csv(hub) == [{"Email": "p1@example.cn"}]
    loader = tmp_path / "loader.csv"
    assert booth.export_suppression(target=loader, preset="salesforce-dataloader-optout") == 3
    erased = next(r for r in _read_csv(loader) if r["ConsentBooth_Lead_ID__c"] == c)
    assert (erased["HasOptedOutOfEmail"], erased["ConsentBooth_Erased__c"], erased["Email"]) == ("true", "true", "")
    kinds = [e.kind for e in booth.sharing_log()]
    assert kinds == [
        "suppression:salesforce-dataloader-optout",
        "suppression:hubspot-optout",
        "suppression:salesforce-optout",
    ]


def test_a_preset_file_ops_edited_through_the_service(booth: Booth, tmp_path: Path) -> None:
    from consentbooth.services.exports import preset_text

    booth.capture(_person(1, ["sales_contact"]))
    mine = tmp_path / "mine.toml"
    mine.write_text(
        preset_text("generic")
        .replace('name = "generic"', 'name = "generic-short"')
        .replace('header = "name"', 'header = "Full name"'),
        encoding="utf-8",
    )
    out = tmp_path / "mine.csv"
    assert booth.export_leads(purposes=["sales_contact"], target=out, preset=mine) == 1
    assert _read_csv(out)[0]["Full name"] == "测试丁"
    assert booth.sharing_log()[0].kind == "export:generic-short"
    broken = tmp_path / "broken.toml"
    broken.write_text('[preset]\nname = "x"\n\n[[column]]\nheader = "A"\nsource = "emial"\n', encoding="utf-8")
    with pytest.raises(UserFacingError, match=r"^Preset file broken.toml, line 6: “emial” is not"):
        booth.export_leads(purposes=["sales_contact"], target=tmp_path / "b.csv", preset=broken)
    assert not (tmp_path / "b.csv").exists() and len(booth.sharing_log()) == 1
