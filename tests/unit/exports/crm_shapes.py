"""Import-shape validators: what each CRM's import documents, checked on a file's table.

Each returns a list of problems (empty: the CRM would take the file as it is). The rules come from
the CRMs' documentation, not from our presets:

* Salesforce Lead (Data Import Wizard "Field Mapping for Importing Leads"; the Lead object's
  field reference): Last Name and Company are required; field lengths First Name 40, Last Name
  80, Company 255, Title 128, Email 80, Mobile 40, Description 32,000, Lead Source 255; Email
  Opt Out / Do Not Call are "1" or "0" in the wizard, true/false (yes, y, on, 1 / no, n, off, 0)
  in Data Loader; Data Loader date/times as yyyy-MM-ddTHH:mm:ss.SSS+/-HHmm (no colon in the
  offset); custom fields end in "__c", API names are letters, digits and single underscores.
* HubSpot contacts (import files): Email is the unique key (present, a valid address); Lifecycle
  stage takes the stage labels; "Legal basis for processing contact's data" one of its five
  options; Marketing contact status "Marketing contact" / "Non-marketing contact"; a subscription
  status Subscribed / Unsubscribed / Not specified; date properties as Number-format (date)
  cells in XLSX; HubSpot's opt-out list import: an Email column of addresses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from email_validator import EmailNotValidError, validate_email

Table = Sequence[Sequence[Any]]

SALESFORCE_LABEL_LENGTHS = {
    "First Name": 40, "Last Name": 80, "Company": 255, "Title": 128, "Email": 80,
    "Mobile Phone": 40, "Description": 32000, "Lead Source": 255,
}
SALESFORCE_API_LENGTHS = {
    "FirstName": 40, "LastName": 80, "Company": 255, "Title": 128, "Email": 80,
    "MobilePhone": 40, "Description": 32000, "LeadSource": 255,
}
SALESFORCE_STANDARD_API = set(SALESFORCE_API_LENGTHS) | {"HasOptedOutOfEmail", "DoNotCall"}
CUSTOM_TEXT_LIMIT = 255
DATA_LOADER_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}")
DATA_LOADER_BOOLEAN = {"", "true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"}
API_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c")
WIZARD_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
HUBSPOT_STAGES = {"Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead",
                  "Opportunity", "Customer", "Evangelist", "Other"}
HUBSPOT_LEGAL_BASES = {"Legitimate interest – prospect/lead", "Legitimate interest – existing customer",
                       "Performance of a contract", "Freely given consent from contact", "Not applicable"}
HUBSPOT_MARKETING = {"Marketing contact", "Non-marketing contact"}
HUBSPOT_SUBSCRIPTION = {"Subscribed", "Unsubscribed", "Not specified"}


def _records(table: Table) -> tuple[list[str], list[dict[str, Any]]]:
    header = [str(h) for h in table[0]]
    return header, [dict(zip(header, row, strict=True)) for row in table[1:]]


def _email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def salesforce_import_wizard(table: Table) -> list[str]:
    header, rows = _records(table)
    problems = [f"missing column {c}" for c in ("Last Name", "Company") if c not in header]
    for i, row in enumerate(rows, start=2):
        for column in ("Last Name", "Company"):
            if column in row and not _text(row[column]).strip():
                problems.append(f"row {i}: {column} is empty")
        for column, limit in SALESFORCE_LABEL_LENGTHS.items():
            if len(_text(row.get(column))) > limit:
                problems.append(f"row {i}: {column} longer than {limit}")
        email = _text(row.get("Email"))
        if email and not _email(email):
            problems.append(f"row {i}: Email {email!r} is not an address")
        for column in ("Email Opt Out", "Do Not Call"):
            if column in row and _text(row[column]) not in {"0", "1"}:
                problems.append(f"row {i}: {column} is not 0 or 1")
        time = row.get("Consent Time")
        if isinstance(time, str) and not WIZARD_TIME.fullmatch(time):
            problems.append(f"row {i}: Consent Time {time!r} is not yyyy-MM-dd HH:mm:ss")
        for column, value in row.items():
            if column not in SALESFORCE_LABEL_LENGTHS and len(_text(value)) > CUSTOM_TEXT_LIMIT:
                problems.append(f"row {i}: {column} longer than a text field's {CUSTOM_TEXT_LIMIT}")
    return problems


def salesforce_data_loader(table: Table) -> list[str]:
    header, rows = _records(table)
    problems = [f"missing column {c}" for c in ("LastName", "Company") if c not in header]
    problems += [f"{h} is not a Lead API field name" for h in header
                 if h not in SALESFORCE_STANDARD_API and not API_NAME.fullmatch(h)]
    for i, row in enumerate(rows, start=2):
        for column in ("LastName", "Company"):
            if column in row and not _text(row[column]).strip():
                problems.append(f"row {i}: {column} is empty")
        for column, limit in SALESFORCE_API_LENGTHS.items():
            if len(_text(row.get(column))) > limit:
                problems.append(f"row {i}: {column} longer than {limit}")
        for column in ("HasOptedOutOfEmail", "DoNotCall", "ConsentBooth_Erased__c"):
            if column in row and _text(row[column]).lower() not in DATA_LOADER_BOOLEAN:
                problems.append(f"row {i}: {column} is not a Data Loader boolean")
        for column, value in row.items():
            if column.endswith(("_Time__c", "_At__c")) and value and not DATA_LOADER_TIME.fullmatch(_text(value)):
                problems.append(f"row {i}: {column} {value!r} is not yyyy-MM-ddTHH:mm:ss.SSS+HHmm")
            if column.endswith("__c") and len(_text(value)) > CUSTOM_TEXT_LIMIT:
                problems.append(f"row {i}: {column} longer than {CUSTOM_TEXT_LIMIT}")
        email = _text(row.get("Email"))
        if email and not _email(email):
            problems.append(f"row {i}: Email {email!r} is not an address")
    return problems


def hubspot_contacts(table: Table, *, xlsx: bool = False) -> list[str]:
    header, rows = _records(table)
    problems = [] if "Email" in header else ["missing column Email"]
    for i, row in enumerate(rows, start=2):
        email = _text(row.get("Email"))
        if not email or not _email(email):
            problems.append(f"row {i}: Email {email!r} is missing or not an address")
        checks = (("Lifecycle Stage", HUBSPOT_STAGES), ("Legal basis for processing contact's data",
                  HUBSPOT_LEGAL_BASES), ("Marketing contact status", HUBSPOT_MARKETING))
        for column, allowed in checks:
            if column in row and _text(row[column]) not in allowed:
                problems.append(f"row {i}: {column} {row[column]!r} is not one of HubSpot's values")
        for column, value in row.items():
            if column.startswith("Subscription:") and _text(value) not in HUBSPOT_SUBSCRIPTION:
                problems.append(f"row {i}: {column} {value!r} is not a subscription status")
        time = row.get("Consent Time")
        if xlsx and time is not None and not isinstance(time, dt.datetime):
            problems.append(f"row {i}: Consent Time is not a date cell")
        if not xlsx and time and not WIZARD_TIME.fullmatch(_text(time)):
            problems.append(f"row {i}: Consent Time {time!r} is not YYYY-MM-DD HH:mm:ss")
    return problems


def hubspot_optout(table: Table) -> list[str]:
    header, rows = _records(table)
    problems = [] if header == ["Email"] else [f"an opt-out list has one Email column, not {header}"]
    for i, row in enumerate(rows, start=2):
        if not _email(_text(row.get("Email"))):
            problems.append(f"row {i}: {row.get('Email')!r} is not an address")
    return problems


def salesforce_optout(table: Table) -> list[str]:
    header, rows = _records(table)
    problems = [] if "Email" in header else ["missing column Email (the match key)"]
    for i, row in enumerate(rows, start=2):
        if not _email(_text(row.get("Email"))):
            problems.append(f"row {i}: Email {row.get('Email')!r} cannot be matched")
        for column in ("Email Opt Out", "Do Not Call"):
            if _text(row.get(column)) not in {"", "1"}:  # never "0": that would opt someone back in
                problems.append(f"row {i}: {column} is neither 1 nor empty")
    return problems


def salesforce_dataloader_optout(table: Table) -> list[str]:
    header, rows = _records(table)
    problems = salesforce_data_loader([["LastName", "Company", *header]] + [["x", "x", *r] for r in table[1:]])
    for i, row in enumerate(rows, start=2):
        if not _text(row.get("ConsentBooth_Lead_ID__c")):
            problems.append(f"row {i}: no external ID to upsert on")
        for column in ("HasOptedOutOfEmail", "DoNotCall"):
            if _text(row.get(column)) not in {"", "true"}:
                problems.append(f"row {i}: {column} is neither true nor empty")
    return problems


VALIDATORS = {
    "salesforce": salesforce_import_wizard,
    "salesforce-dataloader": salesforce_data_loader,
    "hubspot": hubspot_contacts,
    "salesforce-optout": salesforce_optout,
    "salesforce-dataloader-optout": salesforce_dataloader_optout,
    "hubspot-optout": hubspot_optout,
}
