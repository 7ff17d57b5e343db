"""Leads from third parties (the article's §3.2; PIPL Arts. 13, 17, 23): a partner's list comes in
only with the proof of the authorisation behind it.

Ops import a partner's CSV/XLSX list with a column mapping, the proof (the contract or the
partner's consent evidence: the file is stored in the vault with its SHA-256) and the purposes it
covers. Each person becomes a lead whose consent event (collection method ``third_party``) grants
the covered purposes only, and names the import, the partner and the proof's hash: nobody
imported ever counts as consented for anything else. The app writes the notice these people must
get (every Art. 17 item, in Chinese and English, as email text and as a PDF) and logs when it was
sent. A bad file, a missing column or a bad value in any row refuses the whole import: nothing is
stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.domain.models import CONTACT_FIELDS, CollectionMethod, DataSource, localized, new_id
from consentbooth.domain.notice import ART17_ITEMS, REQUIRED_LANGUAGES
from consentbooth.domain.validation import clean_text, validate_fields
from consentbooth.services.capture import CaptureRequest, capture_batch, required_fields
from consentbooth.services.context import BoothContext
from consentbooth.vault import thirdparty as store
from consentbooth.vault.repo import now_iso

log = get_logger(__name__)

ImportRow = store.ImportRow
NOTICE_CHANNELS = ("email", "sms", "post", "wechat", "phone")
MAX_PROOF_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    import_id: str
    people: int
    purposes: tuple[str, ...]
    proof_sha256: str


def _purposes(ctx: BoothContext, purposes: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c.strip() for c in purposes if c.strip()))
    if not codes:
        raise ValidationError("purposes", "Name the purposes the proof of authorisation covers.")
    offered = {p.code for p in ctx.offered_purposes()}
    for code in codes:
        if code not in offered:
            raise ValidationError("purposes", "“{code}” is not a purpose offered here.", code=code)
    return codes


def _requests(ctx: BoothContext, *, data: bytes, file_name: str, mapping: Mapping[str, str],
              covered: tuple[str, ...], base: dict) -> list[CaptureRequest]:
    from consentbooth.scanning.attendee_table import read_table

    table = read_table(data, file_name)
    if not mapping:
        raise ValidationError("map", "Map the list's columns to fields, e.g. --map name=Name --map email=E-mail.")
    index = {}
    for target, column in mapping.items():
        if target not in CONTACT_FIELDS:
            raise ValidationError("map", "“{target}” is not a contact field; use one of {known}.",
                                  target=str(target)[:40], known=", ".join(CONTACT_FIELDS))
        if column not in table.columns:
            raise ValidationError("map", "The list has no column “{column}”; its columns are: {columns}.",
                                  column=str(column)[:80], columns=", ".join(table.columns)[:400])
        index[target] = table.columns.index(column)
    needed = required_fields(ctx, covered)
    requests = []
    for row in table.rows:  # empty rows are left out already
        fields = {target: row[i].strip() for target, i in index.items() if row[i].strip()}
        if not fields:
            continue
        try:
            fields = validate_fields(fields, needed)
        except ValidationError as exc:
            raise ValidationError(exc.field, "Person {n} in the list (empty rows not counted): {problem}",
                                  n=len(requests) + 1, problem=exc.localized("en")) from None
        requests.append(CaptureRequest(fields=fields, purposes=covered, purposes_shown=covered, **base))
    if not requests:
        raise ValidationError("file", "The list holds nobody: every row is empty.")
    return requests


def import_third_party_list(
    ctx: BoothContext,
    *,
    data: bytes,
    file_name: str,
    proof: bytes | None,
    proof_name: str,
    purposes: Sequence[str],
    mapping: Mapping[str, str],
    source: str,
    language: str = "zh-CN",
    event_id: str | None = None,
    operator: str | None = None,
) -> ImportResult:
    """Import a partner's list with its proof of authorisation; every row or nothing."""
    if not proof:
        raise UserFacingError(
            "A partner's list is imported only with the proof of authorisation behind it (the contract "
            "or the partner's consent evidence): give the file with --proof."
        )
    if len(proof) > MAX_PROOF_BYTES:
        raise ValidationError("proof", "The proof file is larger than 50 MB; give a smaller copy.")
    source = clean_text("source", source or "")
    if not source:
        raise ValidationError("source", "Name the partner the list comes from (--source).")
    covered = _purposes(ctx, purposes)
    if language not in REQUIRED_LANGUAGES:  # its letter is written in zh-CN and en
        raise ValidationError("language", "The language must be zh-CN or en.")
    import_id = new_id()
    proof_sha256 = hashlib.sha256(proof).hexdigest()
    operator = ctx.operator_for(operator)
    event = ctx.event(event_id)
    base = dict(
        language=language, event_id=event.id, operator=operator, source=DataSource.THIRD_PARTY_LIST,
        collection_method=CollectionMethod.THIRD_PARTY,
        third_party={"import": import_id, "source": source, "proof_sha256": proof_sha256},
    )
    requests = _requests(ctx, data=data, file_name=file_name, mapping=mapping, covered=covered, base=base)
    row = ImportRow(
        id=import_id, source=source, purposes=covered, event_id=event.id,
        file_name=clean_text("file_name", file_name)[:200], file_sha256=hashlib.sha256(data).hexdigest(),
        people=len(requests), proof_name=clean_text("proof_name", proof_name)[:200],
        proof_sha256=proof_sha256, imported_at=now_iso(), operator=operator,
    )
    # capture_batch checks every row before it writes any (a refusal stores nothing); the ledger
    # events it writes already carry the proof's hash, then the import and the proof file follow.
    capture_batch(ctx, requests)
    with ctx.vault.transaction() as conn:
        store.insert_import(conn, row, proof)
    log.info("third-party list imported: %d people, %d purposes", len(requests), len(covered))
    return ImportResult(import_id=import_id, people=len(requests), purposes=covered, proof_sha256=proof_sha256)


def third_party_imports(ctx: BoothContext) -> list[ImportRow]:
    return store.imports(ctx.vault)


def _import(ctx: BoothContext, import_id: str) -> ImportRow:
    row = store.get_import(ctx.vault, import_id)
    if row is None:
        raise NotFound("No third-party import with id {id}.", id=import_id)
    return row


# -- the Art. 17 notice these people must get ---------------------------------------------------------

INTRO = {
    "zh-CN": ("我们（{org}）于 {date} 从 {source} 获得了您的联系信息。{source} 告知我们，您已同意其向我们提供这些"
              "信息，用于：{purposes}。我们仅在上述范围内处理您的信息，且保存了该授权的证明（SHA-256：{proof}）。"
              "如您未曾同意或希望撤回同意，请按下方方式联系我们，我们将停止处理并删除您的信息。"),
    "en": ("We ({org}) received your contact details from {source} on {date}. {source} told us you agreed to "
           "this, for: {purposes}. We process your details only for these purposes and keep the proof of "
           "that authorisation (SHA-256: {proof}). If you did not agree, or wish to withdraw, contact us as "
           "below and we will stop and delete your details."),
}
TITLE = {
    "zh-CN": "个人信息处理告知（信息来源于第三方）",
    "en": "Notice about your personal information (received from a third party)",
}


def notice_sections(ctx: BoothContext, import_id: str) -> dict[str, list[tuple[str, str]]]:
    """language -> (heading, body) pairs: what we received from whom, then every Art. 17 item."""
    row = _import(ctx, import_id)
    notice, organisation = ctx.notice(), ctx.organisation()
    if notice is None or organisation is None:
        raise UserFacingError("No privacy notice is published yet; finish the setup first.")
    by_code = {p.code: p for p in ctx.purposes()}
    out = {}
    for language in ("zh-CN", "en"):
        titles = [localized(by_code[c].title, language) if c in by_code else c for c in row.purposes]
        intro = INTRO[language].format(
            org=organisation.display_name(language), date=row.imported_at[:10], source=row.source,
            purposes="；".join(titles) if language == "zh-CN" else "; ".join(titles), proof=row.proof_sha256,
        )
        body = notice.sections.get(language, {})
        items = [(zh if language == "zh-CN" else en, body.get(key, "").strip()) for key, en, zh in ART17_ITEMS]
        out[language] = [(TITLE[language], intro), *items]
    return out


def third_party_notice_email(ctx: BoothContext, import_id: str) -> str:
    """The notice as the text of an email: Chinese first, then English."""
    parts = []
    for sections in notice_sections(ctx, import_id).values():
        parts.append("\n\n".join(f"{heading}\n{body}" for heading, body in sections))
    return "\n\n————————————————\n\n".join(parts) + "\n"


def third_party_notice_pdf(ctx: BoothContext, import_id: str) -> bytes:
    """The same notice as a PDF (both languages)."""
    from consentbooth.certificates.letters import render_letter

    sections = notice_sections(ctx, import_id)
    zh, en = sections["zh-CN"], sections["en"]
    return render_letter(title=f"{zh[0][0]} / {en[0][0]}", sections=[*zh, *en],
                         footer=f"ConsentBooth · {import_id}")


def third_party_notice_sent(
    ctx: BoothContext, *, import_id: str, sent_on: date | None = None, channel: str = "email",
    operator: str | None = None,
) -> store.NoticeRow:
    """Log that the notice was sent to the people of an import (when and how)."""
    _import(ctx, import_id)
    sent_on = sent_on or date.today()
    if sent_on > date.today():
        raise ValidationError("sent_on", "The date the notice was sent cannot be in the future.")
    if channel not in NOTICE_CHANNELS:
        raise ValidationError("channel", "Unknown channel “{channel}”; use {known}.", channel=channel[:40],
                              known=", ".join(NOTICE_CHANNELS))
    operator = ctx.operator_for(operator)
    with ctx.vault.transaction() as conn:
        store.add_notice(conn, import_id=import_id, sent_on=sent_on.isoformat(), channel=channel, operator=operator)
    log.info("third-party notice logged as sent")
    return store.notices(ctx.vault, import_id)[-1]


def third_party_notices(ctx: BoothContext, import_id: str) -> list[store.NoticeRow]:
    _import(ctx, import_id)
    return store.notices(ctx.vault, import_id)


def third_party_people(ctx: BoothContext, import_id: str) -> list[str]:
    _import(ctx, import_id)
    return store.people(ctx.vault, import_id)
