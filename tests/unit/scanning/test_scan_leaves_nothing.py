"""After scans the attendee declines (issue #13), nothing scanned is anywhere: not in any table
or page of the decrypted vault, its WAL, the logs, the settings or the temp folder. The
organiser's list itself stays, sealed: a decrypted copy shows none of its attendees either."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest
from tests.vault_pages import decrypted_pages, hits, plaintext_copy, table_cells

VCARD = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=89=AB=E6=8F=8F;=E9=87=91=E4=B8=9D=E9=9B=80\r\n"
    "ORG:Scanned7c1e Instruments\r\nTEL;CELL:13911117777\r\nEMAIL:scanned7c1e@badge.example\r\nEND:VCARD\r\n"
)
NEEDLES = [
    "扫描金丝雀",
    "Scanned7c1e",
    "scanned7c1e",
    "13911117777",
    "名单金丝雀",
    "Listed9d2f",
    "listed9d2f",
    "13922228888",
]


def _list() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Badge ID", "姓名", "Company", "Mobile", "Email"])
    writer.writerow(["CP25-00007", "名单金丝雀", "Listed9d2f GmbH", "13922228888", "listed9d2f@list.example"])
    writer.writerow(["CP25-00008", "另一个人", "Other GmbH", "13900001111", "other@list.example"])
    return out.getvalue().encode("utf-8-sig")


def _everything_under(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]


def test_declined_scans_leave_nothing_and_the_list_stays_sealed(tmp_path: Path, passphrase: str, run_dir: Path) -> None:
    path = tmp_path / "booth.cbvault"
    booth = Booth.create(path, passphrase, demo=True)
    booth.import_attendee_list(data=_list(), file_name="organiser.csv")
    for payload in (VCARD.encode(), "CP25-00007"):
        draft = booth.read_badge(payload)
        assert draft.fields and "金丝雀" not in repr(draft)
        # the attendee read the notice and ticked nothing: a decline
        result = booth.capture(
            CaptureRequest(
                fields=dict(draft.fields),
                purposes=[],
                source=draft.source,
                attendee_list=draft.attendee_list,
                drafted=frozenset(draft.fields),
            )
        )
        assert result.declined and result.lead_id is None
    assert booth.count() == 0 and booth.anonymous_counts()["declined"] == 2
    booth.lock()
    # the values, and the raw payload as scanned (quoted-printable, base64 of it)
    needles = [n.encode() for n in NEEDLES] + [b"=E6=89=AB=E6=8F=8F", base64.b64encode(VCARD.encode())[:40]]
    plain = plaintext_copy(path, passphrase, tmp_path / "plain.db")
    try:
        tables = {t: h for t, blob in table_cells(plain).items() if (h := hits([blob], needles))}
    finally:
        plain.unlink()
    assert tables == {}
    assert hits(decrypted_pages(path, passphrase), needles) == {}
    sidecars = [p for p in tmp_path.iterdir() if p.name.startswith("booth.cbvault-") and p.suffix not in (".lock",)]
    assert hits([p.read_bytes() for p in sidecars if p.is_file()], needles) == {}
    assert hits(_everything_under(run_dir), needles) == {}  # logs, settings, temp files
