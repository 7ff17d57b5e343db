"""What a badge code says: vCard, MECARD, BIZCARD, JSON, a URL or a bare registration id.

Pure and fuzzable: text (or the raw bytes a decoder read) in, a :class:`BadgeDraft` out, or a
:class:`PayloadRefused` with one sentence; no I/O, no clock, no global state. The draft is never
stored: it pre-fills the form, in memory, until the attendee has read the notice and ticked their
purposes (services/scans.py, services/capture.py keep only what those purposes need).

vCards go through ``vobject`` (2.1/3.0/4.0, folded lines, QUOTED-PRINTABLE with any CHARSET such
as UTF-8 or GB18030, several TEL/EMAIL); MECARD and BIZCARD are ``KEY:value;`` lists with
backslash escapes (no maintained library reads them); JSON goes through the standard library
with a size limit; URLs through ``urllib.parse``. Phone numbers come out in E.164 when
``phonenumbers`` recognises them (mainland China by default), otherwise as printed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote, urlsplit

from consentbooth.core.errors import UserFacingError

MAX_PAYLOAD = 8192  # characters: a QR code holds at most 7,089 digits, a PDF417 about 1,800 bytes
MAX_JSON_DEPTH = 8
CONTACT = ("name", "company", "title", "phone", "email", "wechat")
# What a drafted value may be at most (the form's own limits, domain/validation.py MAX_LENGTHS)
LIMITS = {"name": 100, "company": 200, "title": 100, "phone": 32, "email": 254, "wechat": 40}

KINDS = ("vcard", "mecard", "bizcard", "json", "url", "registration_id")
REGISTRATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}")  # a bare code that is an id
_ID_TEXT = re.compile(r"[^\s\x00-\x1f\x7f]{1,64}")  # an id a JSON key, a URL or a list names
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]{1,64}@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}")
_WECHAT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,39}")


class PayloadRefused(UserFacingError):
    """A scanned code that is not a badge this app can read; nothing was kept."""


@dataclass(frozen=True)
class BadgeDraft:
    """The fields a badge code yields (a subset of name, company, title, phone, email, wechat),
    and the registration id it carries, if any (resolved through an attendee list)."""

    kind: str
    fields: Mapping[str, str] = field(default_factory=dict)
    registration_id: str | None = None
    # further phones / emails the code held, for staff to choose from (the first is in fields)
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "alternatives", MappingProxyType(dict(self.alternatives)))

    def __repr__(self) -> str:  # never the values: reprs end up in logs and tracebacks
        return f"BadgeDraft(kind={self.kind!r}, fields={sorted(self.fields)!r})"


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", unicodedata.normalize("NFKC", name)).casefold()


@dataclass(frozen=True)
class BadgeFieldNames:
    """Which JSON keys (and URL query parameters) hold which field: an organiser's badge format.

    Compared without case, spaces, ``_``, ``-`` or ``.``; ``first``/``last`` make a name when no
    full name is given; ``id`` is the registration id."""

    names: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_NAMES)

    def keys_for(self, target: str) -> tuple[str, ...]:
        return tuple(_key(k) for k in self.names.get(target, ()))

    def merged(self, extra: Mapping[str, Iterable[str]]) -> BadgeFieldNames:
        """These names with ``extra`` (an organiser's own keys) tried first."""
        out = {k: tuple(v) for k, v in self.names.items()}
        for target, keys in extra.items():
            if target not in TARGETS:
                raise PayloadRefused(
                    "“{target}” is not a badge field; use one of {known}.",
                    target=str(target), known=", ".join(TARGETS),
                )
            out[target] = (*(str(k) for k in keys), *out.get(target, ()))
        return BadgeFieldNames(MappingProxyType(out))


TARGETS = ("id", *CONTACT, "first", "last")
DEFAULT_NAMES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "id": ("id", "registration_id", "registrationid", "reg_id", "regid", "badge_id", "badgeid",
           "badge", "badge_no", "attendee_id", "attendeeid", "ticket", "ticket_id", "barcode",
           "code", "uid", "注册号", "编号", "胸卡号", "参会编号"),
    "name": ("name", "full_name", "fullname", "attendee_name", "display_name", "姓名", "名字"),
    "first": ("first_name", "firstname", "given_name", "givenname", "given", "first", "名"),
    "last": ("last_name", "lastname", "family_name", "familyname", "surname", "family", "last", "姓"),
    "company": ("company", "company_name", "organization", "organisation", "org", "employer",
                "公司", "单位", "公司名称"),
    "title": ("title", "job_title", "jobtitle", "position", "role", "designation", "职位", "职务"),
    "phone": ("mobile", "mobile_phone", "cell", "cellphone", "phone", "phone_number", "tel",
              "telephone", "手机", "手机号", "电话"),
    "email": ("email", "e_mail", "mail", "email_address", "邮箱", "电子邮件"),
    "wechat": ("wechat", "wechat_id", "wechatid", "weixin", "wx", "微信", "微信号"),
})
DEFAULT_FIELD_NAMES = BadgeFieldNames()


# -- cleaning what a code says into form values ------------------------------------------------

def _clean(value: object) -> str:
    """NFC, control characters and line breaks gone, inner whitespace collapsed."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFC", value)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
                   if unicodedata.category(ch) not in ("Cf", "Cs", "Co") or ch == "\u200d")
    return " ".join(text.split())


def normalise_phone(text: str, region: str = "CN") -> str:
    """E.164 when ``phonenumbers`` reads a possible number in ``text``, else ``text`` as printed."""
    import phonenumbers

    text = _clean(text)
    if text.lower().startswith("tel:"):
        text = text[4:].split(";")[0]
    if not text or len(text) > 40:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text if sum(ch.isdigit() for ch in text) >= 5 else ""
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text if sum(ch.isdigit() for ch in text) >= 5 else ""


def is_mobile(e164: str, region: str = "CN") -> bool:
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _email(text: str) -> str:
    text = _clean(text)
    if text.lower().startswith("mailto:"):
        text = unquote(text[7:].split("?")[0])
    return text if _EMAIL.fullmatch(text) else ""


def _wechat(text: str) -> str:
    text = _clean(text)
    for prefix in ("weixin://", "weixin:", "wechat:", "wxid:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):].strip("/")
            break
    return text if _WECHAT.fullmatch(text) else ""


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"
               for ch in text)


def join_name(family: str, given: str) -> str:
    """Family + given as people write them: 张伟 (no space) in Chinese, "Emma Schmidt" otherwise."""
    family, given = _clean(family), _clean(given)
    if has_cjk(family + given):
        return family + given
    return " ".join(p for p in (given, family) if p)


def normalise_registration_id(text: str) -> str:
    """The form an id is looked up in: NFKC (full-width digits become ASCII), no spaces, upper
    case. An organiser's list and a scanned badge may write the same id differently."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def make_draft(kind: str, values: Mapping[str, object], *, registration_id: str | None = None,
               phones: Iterable[str] = (), emails: Iterable[str] = ()) -> BadgeDraft:
    """A draft from raw values (e.g. an attendee list's row): see :func:`_draft`."""
    return _draft(kind, values, registration_id=registration_id, phones=phones, emails=emails)


def _draft(kind: str, values: Mapping[str, object], *, registration_id: str | None = None,
           phones: Iterable[str] = (), emails: Iterable[str] = ()) -> BadgeDraft:
    """A draft from raw values: each cleaned and checked; the first usable phone and email win,
    the others become alternatives."""
    fields: dict[str, str] = {}
    for name in ("name", "company", "title"):
        text = _clean(values.get(name))
        if text and len(text) <= LIMITS[name]:
            fields[name] = text
    if "name" in fields and not any(unicodedata.category(ch).startswith("L") for ch in fields["name"]):
        del fields["name"]
    all_phones = [p for p in dict.fromkeys(normalise_phone(str(p)) for p in phones) if p]
    all_phones = [p for p in all_phones if len(p) <= LIMITS["phone"]]
    all_emails = [e for e in dict.fromkeys(_email(str(e)) for e in emails) if e]
    all_emails = [e for e in all_emails if len(e) <= LIMITS["email"]]
    alternatives: dict[str, tuple[str, ...]] = {}
    if all_phones:
        fields["phone"] = all_phones[0]
        if len(all_phones) > 1:
            alternatives["phone"] = tuple(all_phones[1:])
    if all_emails:
        fields["email"] = all_emails[0]
        if len(all_emails) > 1:
            alternatives["email"] = tuple(all_emails[1:])
    wechat = _wechat(str(values.get("wechat") or ""))
    if wechat:
        fields["wechat"] = wechat
    rid = _clean(registration_id or "")
    rid = rid if _ID_TEXT.fullmatch(rid) else None
    if not fields and rid is None:
        raise PayloadRefused("This code holds no name, contact details or registration number.")
    return BadgeDraft(kind=kind, fields=fields, registration_id=rid, alternatives=alternatives)


# -- text from bytes -----------------------------------------------------------------------------

_CHARSET = re.compile(rb"CHARSET=([A-Za-z0-9_-]{2,20})", re.IGNORECASE)


def payload_text(data: bytes) -> str:
    """The text of a code's raw bytes: UTF-8 (with or without BOM), else the CHARSET a vCard
    names (GB18030, GBK, Big5, Shift_JIS…), else GB18030, the usual Chinese encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for match in _CHARSET.finditer(data[:MAX_PAYLOAD]):
        name = match.group(1).decode("ascii").lower()
        if name.replace("-", "") in ("utf8", "usascii", "ascii"):
            continue
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise PayloadRefused("This code's text is in an encoding this app cannot read.") from None


# -- the formats -----------------------------------------------------------------------------------

def parse_payload(payload: str | bytes, names: BadgeFieldNames = DEFAULT_FIELD_NAMES) -> BadgeDraft:
    """The draft a scanned code yields, or :class:`PayloadRefused` with one sentence."""
    if isinstance(payload, bytes | bytearray | memoryview):
        if len(payload) > MAX_PAYLOAD * 4:
            raise PayloadRefused("This code holds too much text to be a badge.")
        payload = payload_text(bytes(payload))
    if not isinstance(payload, str):
        raise PayloadRefused("This code holds no text.")
    if len(payload) > MAX_PAYLOAD:
        raise PayloadRefused("This code holds too much text to be a badge.")
    text = payload.lstrip("\ufeff").strip()
    if not text:
        raise PayloadRefused("This code holds no text.")
    head = text[:16].upper()
    if head.startswith("BEGIN:VCARD"):
        return parse_vcard(text)
    if head.startswith("MECARD:"):
        return parse_mecard(text)
    if head.startswith("BIZCARD:"):
        return parse_bizcard(text)
    if text[0] in "{[":
        return parse_json(text, names)
    if re.match(r"(?i)https?://", text):
        return parse_url(text, names)
    if REGISTRATION_ID.fullmatch(text) and any(ch.isdigit() for ch in text):
        return BadgeDraft(kind="registration_id", registration_id=text)
    raise PayloadRefused(
        "This code is not a badge this app can read (a vCard, MECARD, BIZCARD, JSON, a link or "
        "a registration number)."
    )


def parse_vcard(text: str) -> BadgeDraft:
    import logging

    import vobject  # on first scan: start-up does not need it

    # vobject logs a line it cannot read, quoting it: a badge's contents must never reach a log
    for name in ("vobject", *(n for n in list(logging.root.manager.loggerDict) if n.startswith("vobject."))):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)

    refused = PayloadRefused("This badge's vCard is damaged; please type the details.")
    try:
        card = vobject.readOne(text, allowQP=True, ignoreUnreadable=True)
        lines = list(card.getChildren()) if card.name.upper() == "VCARD" else []
    except Exception:  # vobject raises ParseError, and worse on odd input: all mean "damaged"
        raise refused from None
    values: dict[str, object] = {}
    phones: list[tuple[int, str]] = []
    emails: list[tuple[int, str]] = []
    name_from_n = ""
    for order, line in enumerate(lines):
        try:
            key, value = line.name.upper(), line.value
            kinds = {t.upper() for ts in line.params.get("TYPE", ()) for t in str(ts).split(",")}
            kinds |= {str(s).upper() for s in getattr(line, "singletonparams", ())}
            if key == "N":
                family = value.family if hasattr(value, "family") else str(value).split(";")[0]
                given = value.given if hasattr(value, "given") else ""
                family = " ".join(family) if isinstance(family, list) else str(family)
                given = " ".join(given) if isinstance(given, list) else str(given)
                name_from_n = join_name(family, given)
            elif key == "FN":
                values.setdefault("fn", value)
            elif key == "ORG":
                parts = value if isinstance(value, list) else [value]
                first = parts[0] if parts else ""
                # an unescaped comma ("Co., Ltd.") splits a component in vobject: join it back
                values.setdefault("company", ",".join(map(str, first)) if isinstance(first, list) else str(first))
            elif key == "TITLE":
                values.setdefault("title", value)
            elif key == "TEL":
                rank = 0 if kinds & {"CELL", "MOBILE"} else 1 if "PREF" in kinds else 2
                if "FAX" not in kinds:
                    phones.append((rank * 1000 + order, str(value)))
            elif key == "EMAIL":
                emails.append(((0 if "PREF" in kinds else 1) * 1000 + order, str(value)))
            elif key in ("X-WECHAT", "X-WEIXIN", "X-WECHAT-ID"):
                values.setdefault("wechat", value)
            elif key == "IMPP" and str(value).lower().startswith(("weixin:", "wechat:")):
                values.setdefault("wechat", value)
        except Exception:  # one odd line never costs the others
            continue
    fn = _clean(values.pop("fn", "") or "")
    # A structured Chinese name is written family+given; Western software often formats FN
    # "伟 张" from it, so N wins for CJK names, FN (the name as the person writes it) otherwise.
    values["name"] = name_from_n if name_from_n and has_cjk(name_from_n) else fn or name_from_n
    return _draft("vcard", values, phones=[p for _, p in sorted(phones)],
                  emails=[e for _, e in sorted(emails)])


def _fields_of(body: str) -> list[tuple[str, str]]:
    """``KEY:value;KEY:value;;`` with ``\\`` escaping ``;``, ``:``, ``,`` and itself."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    escaped = False
    for ch in body + ";":
        if escaped:
            buf.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            item = "".join(buf)
            buf = []
            if item.strip():
                key, sep, value = item.partition(":")
                if sep:
                    out.append((key.strip().upper(), value))
        else:
            buf.append(ch)
    return out


def parse_mecard(text: str) -> BadgeDraft:
    """NTT docomo's MECARD: ``MECARD:N:Family,Given;TEL:…;EMAIL:…;ORG:…;TITLE:…;;``."""
    items = _fields_of(text.split(":", 1)[1])
    values: dict[str, object] = {}
    phones, emails = [], []
    for key, value in items:
        if key == "N" and "name" not in values:
            family, _, given = value.partition(",")
            values["name"] = join_name(family, given)
        elif key == "TEL":
            phones.append(value)
        elif key == "EMAIL":
            emails.append(value)
        elif key in ("ORG", "TITLE") and key.lower() not in values:
            values["company" if key == "ORG" else "title"] = value
        elif key in ("X-WECHAT", "WECHAT", "WEIXIN"):
            values.setdefault("wechat", value)
    return _draft("mecard", values, phones=phones, emails=emails)


def parse_bizcard(text: str) -> BadgeDraft:
    """ZXing's BIZCARD: ``N:`` first name, ``X:`` last name, ``T:`` title, ``C:`` company,
    ``B:`` phone, ``M:`` mobile, ``F:`` fax, ``E:`` email."""
    items = dict(reversed(_fields_of(text.split(":", 1)[1])))  # the first of each key wins
    values: dict[str, object] = {
        "name": join_name(items.get("X", ""), items.get("N", "")),
        "title": items.get("T", ""),
        "company": items.get("C", ""),
    }
    phones = [items[k] for k in ("M", "B") if items.get(k)]
    return _draft("bizcard", values, phones=phones, emails=[items.get("E", "")])


def _depth(value: object, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit``."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _lookup(data: Mapping[str, object], keys: tuple[str, ...]) -> object:
    """The first value under one of ``keys`` (in the order given), in ``data`` or an object
    nested in it (breadth-first, a few levels)."""
    level: list[Mapping[str, object]] = [data]
    for _ in range(MAX_JSON_DEPTH):
        found = {_key(str(k)): v for obj in level for k, v in reversed(list(obj.items()))}
        for key in keys:
            value = found.get(key)
            if isinstance(value, list):
                value = next((v for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)), None)
            if isinstance(value, str | int | float) and not isinstance(value, bool) and _clean(value):
                return value
        level = [
            x for obj in level for v in obj.values()
            for x in (v if isinstance(v, list) else [v]) if isinstance(x, dict)
        ]
        if not level:
            return None
    return None


def _from_named(kind: str, data: Mapping[str, object], names: BadgeFieldNames,
                registration_id: str | None = None) -> BadgeDraft:
    values = {t: _lookup(data, names.keys_for(t)) for t in ("name", "company", "title", "wechat")}
    if not _clean(values["name"]):
        first, last = (_lookup(data, names.keys_for(t)) for t in ("first", "last"))
        values["name"] = join_name(_clean(last), _clean(first))
    rid = _lookup(data, names.keys_for("id"))
    rid = _clean(rid) if rid is not None else registration_id
    return _draft(kind, values, registration_id=rid,
                  phones=[p for p in [_lookup(data, names.keys_for("phone"))] if p is not None],
                  emails=[e for e in [_lookup(data, names.keys_for("email"))] if e is not None])


def parse_json(text: str, names: BadgeFieldNames = DEFAULT_FIELD_NAMES) -> BadgeDraft:
    try:
        data = json.loads(text, parse_constant=lambda c: None)
    except (ValueError, RecursionError):
        raise PayloadRefused("This badge's JSON is damaged; please type the details.") from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or _depth(data, MAX_JSON_DEPTH):
        raise PayloadRefused("This badge's JSON is not one attendee's details.")
    return _from_named("json", data, names)


def parse_url(text: str, names: BadgeFieldNames = DEFAULT_FIELD_NAMES) -> BadgeDraft:
    """A link with the details (or the registration id) in its query; else an id as its last
    path segment (``…/badge/ABC123``)."""
    try:
        parts = urlsplit(text)
        query = parse_qsl(parts.query, keep_blank_values=False, max_num_fields=64)
        query += parse_qsl(parts.fragment, keep_blank_values=False, max_num_fields=64) if "=" in parts.fragment else []
    except ValueError:
        raise PayloadRefused("This badge's link is damaged; please type the details.") from None
    data: dict[str, object] = {}
    for key, value in query:
        data.setdefault(key, value)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path.strip("/") else ""
    fallback = segment if REGISTRATION_ID.fullmatch(segment) and any(c.isdigit() for c in segment) else None
    try:
        return _from_named("url", data, names, registration_id=fallback)
    except PayloadRefused:
        raise PayloadRefused(
            "This link holds no attendee details or registration number; it is not a badge."
        ) from None
