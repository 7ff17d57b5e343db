"""Scan to consent on the command line (issue #13): attendee lists, badge codes, business cards."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import cb


def _list(tmp_path: Path) -> Path:
    path = tmp_path / "organiser.csv"
    rows = ["Badge ID,Name,Company,Mobile,Email"] + [
        f"EX-{i:04d},Person {i},Canary{i} Ltd,1390013{i:04d},p{i}@canary.example" for i in range(12)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_attendee_lists_and_badges(vault: Path, tmp_path: Path) -> None:
    listing = _list(tmp_path)
    preview = cb("attendees", "preview", "--file", str(listing), passphrase=None)
    assert preview.returncode == 0, preview.stderr
    shown = json.loads(preview.stdout)
    assert shown["mapping"] == {"id": "Badge ID", "name": "Name", "company": "Company", "phone": "Mobile",
                                "email": "Email"}
    assert shown["entries"] == 12 and shown["sample"][0]["name"] == "Person 0"
    imported = cb("attendees", "import", "--vault", str(vault), "--file", str(listing), "--keep-days", "3")
    assert imported.returncode == 0, imported.stderr
    info = json.loads(imported.stdout)
    assert info["entries"] == 12 and info["keep_days"] == 3 and info["delete_on"]
    badge = cb("badge", "--vault", str(vault), "--code", "ex-0005")
    assert badge.returncode == 0, badge.stderr
    draft = json.loads(badge.stdout)
    assert draft["fields"]["name"] == "Person 5" and draft["attendee_list"] == info["list"]
    assert draft["source"] == "badge_scan"
    unknown = cb("badge", "--vault", str(vault), "--code", "EX-9999")
    assert unknown.returncode == 2 and unknown.stderr.startswith("Error: No attendee list")
    assert len(unknown.stderr.strip().splitlines()) == 1
    vcard = cb("badge", "--vault", str(vault), "--code", "BEGIN:VCARD\nVERSION:3.0\nFN:Emma Schmidt\nEND:VCARD")
    assert json.loads(vcard.stdout)["fields"] == {"name": "Emma Schmidt"}
    names = cb("badge-fields", "--vault", str(vault), "--set", "name=Teilnehmer")
    assert json.loads(names.stdout)["name"][0] == "Teilnehmer"
    assert json.loads(cb("attendees", "lists", "--vault", str(vault)).stdout)[0]["list"] == info["list"]
    deleted = cb("attendees", "delete", "--vault", str(vault), "--list", info["list"])
    assert deleted.returncode == 0, deleted.stderr
    log = json.loads(cb("attendees", "log", "--vault", str(vault)).stdout)
    assert [r["action"] for r in log] == ["imported", "deleted"]
    assert "Person" not in json.dumps(log) and "canary" not in json.dumps(log).lower()
    bad = cb("attendees", "import", "--vault", str(vault), "--file", str(listing), "--map", "id=Nope")
    assert bad.returncode == 2 and "no column “Nope”" in bad.stderr


def test_a_business_card_photo(tmp_path: Path) -> None:
    from tests.support.cards import cards

    card = next(c for c in cards() if c.language == "en")
    photo = tmp_path / "card.jpg"
    photo.write_bytes(card.photo)
    result = cb("card", "--photo", str(photo), passphrase=None)
    assert result.returncode == 0, result.stderr
    fields = json.loads(result.stdout)["fields"]
    assert fields["email"] == card.expected["email"] and fields["phone"] == card.expected["phone"]
    garbage = tmp_path / "not-a-photo.jpg"
    garbage.write_bytes(b"this is text")
    refused = cb("card", "--photo", str(garbage), passphrase=None)
    assert refused.returncode == 2 and "not a photo" in refused.stderr
