"""Scan to consent on the command line: organiser attendee lists, badge codes, business cards.

    consentbooth attendees preview --file LIST.xlsx [--map id="Badge ID" --map name=Name ...]
    consentbooth attendees import  --vault V --file LIST.csv [--event ID] [--keep-days 7] [--map ...]
    consentbooth attendees lists   --vault V          # JSON, with the day each list is deleted
    consentbooth attendees delete  --vault V --list ID
    consentbooth attendees log     --vault V          # every import and deletion (no attendee data)
    consentbooth badge  --vault V --code TEXT          # what a badge code pre-fills (JSON)
    consentbooth badge-fields --vault V [--set name=Teilnehmer,Name ...]   # organiser's JSON keys
    consentbooth card   --photo CARD.jpg               # what a business card's photo pre-fills
"""

from __future__ import annotations

import argparse
from pathlib import Path

from consentbooth.cli.common import Adder, out, unlocked
from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.core.files import read_user_file


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs or ():
        target, sep, column = pair.partition("=")
        if not sep or not target.strip():
            raise ValidationError("map", "Write each mapping as FIELD=COLUMN, e.g. --map id=\"Badge ID\".")
        mapping[target.strip()] = column.strip()
    return mapping


def _info(info) -> dict:
    return {"list": info.id, "event": info.event_id, "name": info.name, "entries": info.entries,
            "keep_days": info.keep_days, "imported_at": info.imported_at, "operator": info.operator,
            "file_sha256": info.file_sha256,
            "delete_on": info.delete_on.isoformat() if info.delete_on else None}


def cmd_attendees(args: argparse.Namespace) -> int:
    from consentbooth.services import attendees

    if args.action == "preview":
        if not args.file:
            raise UserFacingError("Name the attendee file: consentbooth attendees preview --file LIST.xlsx")
        preview = attendees.preview_attendee_file(
            None, data=read_user_file(args.file), file_name=Path(args.file).name, mapping=_mapping(args.map)
        )
        out({"columns": list(preview.columns), "mapping": preview.mapping, "rows": preview.rows,
             "entries": preview.entries, "without_id": preview.without_id,
             "duplicates": preview.duplicates, "unusable": preview.unusable, "sample": preview.sample})
        return 0
    with unlocked(args) as booth:
        if args.action == "import":
            if not args.file:
                raise UserFacingError("Name the attendee file: consentbooth attendees import --file LIST.xlsx")
            info = booth.import_attendee_list(
                data=read_user_file(args.file), file_name=Path(args.file).name, mapping=_mapping(args.map),
                event_id=args.event, keep_days=args.keep_days, name=args.name, operator=args.operator,
            )
            out(_info(info))
        elif args.action == "lists":
            out([_info(i) for i in booth.attendee_lists(event_id=args.event)])
        elif args.action == "delete":
            if not args.list:
                raise UserFacingError("Name the list to delete: consentbooth attendees delete --list ID")
            out(_info(booth.delete_attendee_list(args.list, operator=args.operator)))
        else:
            out([row.__dict__ for row in booth.attendee_list_log()])
    return 0


def cmd_badge(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        draft = booth.read_badge(args.code, event_id=args.event)
    out({"source": draft.source.value, "kind": draft.kind, "fields": dict(draft.fields),
         "registration_id": draft.registration_id, "attendee_list": draft.attendee_list,
         "alternatives": {k: list(v) for k, v in draft.alternatives.items()}})
    return 0


def cmd_badge_fields(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        if args.set is not None:
            names: dict[str, list[str]] = {}
            for pair in args.set:
                target, sep, keys = pair.partition("=")
                if not sep:
                    raise ValidationError("set", "Write each setting as FIELD=KEY1,KEY2, e.g. --set name=Teilnehmer.")
                names[target.strip()] = [k.strip() for k in keys.split(",") if k.strip()]
            found = booth.set_badge_field_names(names)
        else:
            found = booth.badge_field_names()
    out({k: list(v) for k, v in found.names.items()})
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    from consentbooth.services.scans import read_business_card

    draft = read_business_card(None, read_user_file(args.photo))
    out({"source": draft.source.value, "fields": dict(draft.fields),
         "alternatives": {k: list(v) for k, v in draft.alternatives.items()}})
    return 0


def register(add: Adder) -> None:
    p = add("attendees", cmd_attendees,
            "organiser attendee lists: preview | import | lists | delete | log (never exported)")
    p.add_argument("action", choices=("preview", "import", "lists", "delete", "log"))
    p.add_argument("--file", help="the organiser's CSV or XLSX file")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="which column holds id, name, first, last, company, title, phone, email, wechat")
    p.add_argument("--event", help="event id (default: the current event)")
    p.add_argument("--keep-days", type=int, default=7, help="days after the event ends before deletion")
    p.add_argument("--name", help="a name for the list (default: the file's name)")
    p.add_argument("--list", help="the list id (delete)")
    p.add_argument("--operator")
    p = add("badge", cmd_badge, "what a badge code pre-fills (JSON; nothing is stored)")
    p.add_argument("--code", required=True, help="the code's text, as a scanner types it")
    p.add_argument("--event", help="event id whose attendee lists resolve a registration id")
    p = add("badge-fields", cmd_badge_fields, "the organiser's JSON / link keys for badge fields")
    p.add_argument("--set", action="append", metavar="FIELD=KEY1,KEY2",
                   help="keys tried first for FIELD (id, name, first, last, company, title, phone, email, wechat)")
    p = add("card", cmd_card, "what a business card's photo pre-fills (JSON; the photo is not kept)", vault=False)
    p.add_argument("--photo", required=True, help="JPEG or PNG")
