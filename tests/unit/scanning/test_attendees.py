"""Organiser attendee lists (issue #13): import with a mapping and a preview, a sealed lookup in
the real vault, never exported or bundled, deleted after the event, every import and deletion
logged; a scanned registration id pre-fills from it and the consent names the list."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from consentbooth.core.errors import UserFacingError
from consentbooth.domain.models import DataSource
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.scans import UnknownRegistration
from consentbooth.vault import ledger
from consentbooth.vault.migrations import CURRENT_VERSION
from tests.data.make_fixture import FIXTURE_PASSPHRASE
from tests.vault_pages import decrypted_pages, hits, plaintext_copy, table_cells

DATA = Path(__file__).resolve().parents[2] / "data"
CANARY = "Kanarie7f3a"


def _people(n: int = 30) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        out.append({
            "Badge ID": f"CP25-{i:05d}", "姓名": f"名单{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯'[i % 4]}",
            "Company": f"{CANARY}{i:03d} GmbH", "Job Title": "Einkäufer", "Mobile": f"1390013{i:04d}",
            "E-mail": f"list{i:03d}.{CANARY.lower()}@list.example", "WeChat": f"wx_{CANARY.lower()}{i:03d}",
        })
    return out


def _csv_gb18030(people: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(people[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(people)
    return out.getvalue().encode("gb18030")


def _xlsx(people: list[dict[str, str]], *, numbers: bool = True) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Registration No.", "First Name", "Last Name", "Organization", "Mobile Phone", "Email Address"])
    for i, p in enumerate(people):
        sheet.append([100200 + i if numbers else p["Badge ID"], "Emma", f"Schmidt{i}", p["Company"],
                      int(p["Mobile"]) if numbers else p["Mobile"], p["E-mail"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _needles(people: list[dict[str, str]]) -> list[bytes]:
    return [CANARY.encode(), CANARY.lower().encode(), people[3]["姓名"].encode(), b"13900130003",
            people[3]["Badge ID"].encode()]


def test_preview_guesses_the_mapping_and_shows_rows_without_storing(booth: Booth) -> None:
    people = _people()
    preview = booth.preview_attendee_file(data=_csv_gb18030(people), file_name="list.csv")
    assert preview.mapping == {"id": "Badge ID", "name": "姓名", "company": "Company", "title": "Job Title",
                               "phone": "Mobile", "email": "E-mail", "wechat": "WeChat"}
    assert preview.rows == preview.entries == 30 and preview.without_id == preview.duplicates == 0
    assert preview.sample[0] == {"id": "CP25-00000", "name": people[0]["姓名"], "company": f"{CANARY}000 GmbH",
                                 "title": "Einkäufer", "phone": "+8613900130000",
                                 "email": f"list000.{CANARY.lower()}@list.example", "wechat": f"wx_{CANARY.lower()}000"}
    assert booth.attendee_lists() == [] and booth.attendee_list_log() == []
    # a mapping given by a person wins over the guess; first + last make the name
    xlsx = booth.preview_attendee_file(data=_xlsx(people), file_name="list.xlsx")
    assert xlsx.mapping == {"id": "Registration No.", "first": "First Name", "last": "Last Name",
                            "company": "Organization", "phone": "Mobile Phone", "email": "Email Address"}
    assert xlsx.sample[0]["id"] == "100200" and xlsx.sample[0]["name"] == "Emma Schmidt0"
    assert xlsx.sample[0]["phone"] == "+8613900130000"  # a number cell, not 13900130000.0
    mapped = booth.preview_attendee_file(data=_xlsx(people), file_name="list.xlsx",
                                         mapping={"id": "Email Address", "email": ""})
    assert mapped.mapping["id"] == "Email Address" and "email" not in mapped.mapping


def test_import_lookup_and_badge_scan_prefill(booth: Booth) -> None:
    people = _people()
    info = booth.import_attendee_list(data=_csv_gb18030(people), file_name="organiser-leads.csv", operator="WF")
    assert (info.entries, info.keep_days, info.name) == (30, 7, "organiser-leads.csv")
    assert info.delete_on == booth.current_event().ends_on + timedelta(days=7)
    # the id as a badge prints it, in another case or full-width digits, finds the same person
    for printed in ("CP25-00007", "cp25-00007", " CP25-０００07 "):
        match = booth.lookup_attendee(printed)
        assert match is not None and match.fields["name"] == people[7]["姓名"] and match.list_id == info.id
    assert booth.lookup_attendee("CP25-99999") is None
    # a plain badge id: pre-filled from the list, which the draft names
    draft = booth.read_badge("CP25-00007\n")
    assert draft.source is DataSource.BADGE_SCAN and draft.attendee_list == info.id
    assert dict(draft.fields) == {"name": people[7]["姓名"], "company": f"{CANARY}007 GmbH",
                                  "title": "Einkäufer", "phone": "+8613900130007",
                                  "email": f"list007.{CANARY.lower()}@list.example",
                                  "wechat": f"wx_{CANARY.lower()}007"}
    assert CANARY not in repr(draft)
    # a badge carrying its own details and the id: the badge's values win, the list completes
    own = booth.read_badge(json.dumps({"id": "CP25-00008", "name": "Emma Badge", "email": "emma@badge.example"}))
    assert own.fields["name"] == "Emma Badge" and own.fields["email"] == "emma@badge.example"
    assert own.fields["company"] == f"{CANARY}008 GmbH" and own.attendee_list == info.id
    with pytest.raises(UnknownRegistration) as caught:
        booth.read_badge("CP25-99999")
    assert "registration number" in str(caught.value)


def test_the_consent_records_the_source_and_the_list_and_keeps_only_what_is_needed(booth: Booth) -> None:
    info = booth.import_attendee_list(data=_csv_gb18030(_people()), file_name="l.csv")
    draft = booth.read_badge("CP25-00004")
    result = booth.capture(CaptureRequest(
        fields=dict(draft.fields), purposes=["newsletter"], operator="WF", source=draft.source,
        attendee_list=draft.attendee_list, drafted=frozenset(draft.fields) - {"wechat"},
    ))
    lead = booth.record(result.lead_id).lead
    # newsletter needs the email: the other drafted fields go; the WeChat id the attendee
    # confirmed (typed over, not drafted) stays
    assert set(lead.fields) == {"email", "wechat"}
    event = ledger.get(booth.vault, result.ledger_id).record["event"]
    assert event["extra"] == {"source": "badge_scan", "attendee_list": info.id}
    typed = booth.capture(CaptureRequest(fields={"name": "张伟", "phone": "13800138000"},
                                         purposes=["sales_contact"]))
    assert ledger.get(booth.vault, typed.ledger_id).record["event"]["extra"] == {"source": "typed"}


def test_the_list_is_sealed_in_the_vault_and_never_exported_or_bundled(
    booth: Booth, passphrase: str, tmp_path: Path
) -> None:
    people = _people()
    booth.import_attendee_list(data=_csv_gb18030(people), file_name="l.csv")
    booth.import_attendee_list(data=_xlsx(people), file_name="l.xlsx")
    booth.capture(CaptureRequest(fields={"name": "Typed Person", "email": "typed@example.org",
                                         "phone": "13800138000", "company": "Typed Co"},
                                 purposes=["sales_contact", "newsletter", "product_info"]))
    needles = _needles(people)
    outputs: dict[str, bytes] = {}
    for fmt in ("csv", "xlsx", "jsonl"):
        target = tmp_path / f"export.{fmt}"
        booth.export_leads(purposes=["newsletter"], target=target, format=fmt)
        outputs[target.name] = target.read_bytes()
    target = tmp_path / "suppression.csv"
    booth.export_suppression(target=target)
    outputs[target.name] = target.read_bytes()
    target = tmp_path / "certs.zip"
    booth.export_event_certificates(event_id=booth.current_event().id, target=target)
    with zipfile.ZipFile(target) as zf:
        assert zf.namelist()
        outputs.update({n: zf.read(n) for n in zf.namelist()})
    from consentbooth.services.transfer import build_payload, create_ops_keys, read_payload

    payload, _ = build_payload(booth.ctx)  # the bundle's plaintext, before age encrypts it
    manifest, tables = read_payload(payload)
    assert not any("attendee" in t for t in tables) and tables["leads"]
    outputs["bundle payload"] = payload
    ops_public = create_ops_keys(tmp_path / "ops.key")
    booth.create_bundle(recipient=ops_public, target=tmp_path / "laptop.age")
    import pyrage

    identity = pyrage.x25519.Identity.from_str(
        next(line for line in (tmp_path / "ops.key").read_text().splitlines() if line.startswith("AGE-SECRET-KEY"))
    )
    outputs["bundle"] = pyrage.decrypt((tmp_path / "laptop.age").read_bytes(), [identity])
    found = {name: h for name, data in outputs.items() if (h := hits([data], needles))}
    assert found == {}
    assert any(b"typed@example.org" in data for data in outputs.values())  # the scan sees exports
    # the decrypted vault: no table and no page holds an attendee of the list in plain text
    booth.vault.scrub()
    plain = plaintext_copy(booth.vault.path, passphrase, tmp_path / "plain.db")
    try:
        cells = table_cells(plain)
        assert {"attendee_lists", "attendee_entries", "attendee_list_log"} <= set(cells)
        assert {t: h for t, blob in cells.items() if (h := hits([blob], needles))} == {}
    finally:
        plain.unlink()
    assert hits(decrypted_pages(booth.vault.path, passphrase), needles) == {}


def test_lists_are_deleted_after_the_event_and_each_deletion_is_logged(
    booth: Booth, passphrase: str, tmp_path: Path
) -> None:
    event = booth.current_event()
    today = date.today()
    booth.save_event(replace(event, starts_on=today - timedelta(days=2), ends_on=today))
    kept = booth.import_attendee_list(data=_csv_gb18030(_people()), file_name="kept.csv", keep_days=3)
    gone = booth.import_attendee_list(data=_csv_gb18030(_people(5)), file_name="soon.csv", keep_days=1)
    staff = booth.import_attendee_list(data=_xlsx(_people(4)), file_name="staff.xlsx")
    assert booth.delete_expired_attendee_lists(today=today) == []
    booth.delete_attendee_list(staff.id, operator="WF")
    assert [i.id for i in booth.delete_expired_attendee_lists(today=today + timedelta(days=1))] == [gone.id]
    assert [i.id for i in booth.attendee_lists()] == [kept.id]
    assert booth.lookup_attendee("CP25-00001").list_id == kept.id
    log = [(r.action, r.list_id, r.entries, r.reason) for r in booth.attendee_list_log()]
    assert log == [("imported", kept.id, 30, ""), ("imported", gone.id, 5, ""), ("imported", staff.id, 4, ""),
                   ("deleted", staff.id, 4, "deleted by staff"),
                   ("expired", gone.id, 5, "1 days after the event ended")]
    with pytest.raises(Exception, match="append-only"):
        with booth.vault.transaction() as conn:
            conn.execute("DELETE FROM attendee_list_log")
    # the event ended 3 days ago at the next unlock: the list goes at open, by itself
    booth.save_event(replace(event, starts_on=today - timedelta(days=6), ends_on=today - timedelta(days=3)))
    path = booth.vault.path
    booth.lock()
    again = Booth.unlock(path, passphrase)
    try:
        assert again.attendee_lists() == []
        assert again.attendee_list_log()[-1].action == "expired"
        assert again.lookup_attendee("CP25-00001") is None
        assert again.vault.read("SELECT count(*) FROM attendee_entries") == [(0,)]
    finally:
        again.lock()


@pytest.mark.parametrize("data, name, sentence", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "Old Excel files (.xls)"),
    (b"", "empty.csv", "no header row"),
    (b"just one column\nx\n", "one.csv", "no header row"),
    ("Name,Company\n张伟,示例\n".encode(), "noid.csv", "Choose the column that holds the registration id"),
    (b"PK\x03\x04broken", "broken.xlsx", "not a readable XLSX"),
    ("Badge ID,Name\n,张伟\n ,李娜\n".encode(), "blank.csv", "No row of the attendee file has a registration id"),
])
def test_bad_files_are_one_sentence_and_nothing_is_stored(booth: Booth, data: bytes, name: str, sentence: str) -> None:
    with pytest.raises(UserFacingError) as caught:
        booth.import_attendee_list(data=data, file_name=name)
    assert sentence in str(caught.value)
    assert booth.attendee_lists() == [] and booth.attendee_list_log() == []


def test_bad_mappings_and_a_finished_event_are_refused(booth: Booth) -> None:
    data = _csv_gb18030(_people(3))
    with pytest.raises(UserFacingError, match="no column “Nope”"):
        booth.import_attendee_list(data=data, mapping={"id": "Nope"})
    with pytest.raises(UserFacingError, match="not a field of an attendee list"):
        booth.import_attendee_list(data=data, mapping={"shoe": "Company"})
    with pytest.raises(UserFacingError, match="0 to 365 days"):
        booth.import_attendee_list(data=data, keep_days=400)
    event = booth.current_event()
    booth.save_event(replace(event, starts_on=date(2020, 1, 1), ends_on=date(2020, 1, 2)))
    with pytest.raises(UserFacingError, match="would be deleted at once"):
        booth.import_attendee_list(data=data)
    assert booth.attendee_lists() == []


def test_badge_field_names_are_kept_per_vault(booth: Booth) -> None:
    payload = json.dumps({"Teilnehmer": "Emma Schmidt", "Ausweis": "X-1"})
    with pytest.raises(UserFacingError):
        booth.read_badge(payload)
    booth.set_badge_field_names({"name": ["Teilnehmer"], "id": ["Ausweis"]})
    draft = booth.read_badge(payload)
    assert draft.fields["name"] == "Emma Schmidt" and draft.registration_id == "X-1"
    with pytest.raises(UserFacingError, match="not a badge field"):
        booth.set_badge_field_names({"shoe": ["x"]})


@pytest.mark.parametrize("version", [3, 5])
def test_released_vaults_upgrade_to_attendee_lists(tmp_path: Path, version: int) -> None:
    copy = tmp_path / "old.cbvault"
    shutil.copy(DATA / f"vault-v{version}.cbvault", copy)
    booth = Booth.unlock(copy, FIXTURE_PASSPHRASE)
    try:
        assert booth.vault.schema_version() == CURRENT_VERSION >= 6
        assert booth.attendee_lists() == [] and booth.verify_ledger().ok
        event = booth.current_event()
        booth.save_event(replace(event, ends_on=date.today() + timedelta(days=1)))
        info = booth.import_attendee_list(data=_csv_gb18030(_people(3)), file_name="l.csv")
        assert booth.read_badge("CP25-00002").attendee_list == info.id
    finally:
        booth.lock()
    assert (tmp_path / f"old.before-v{CURRENT_VERSION}.cbvault").exists()
