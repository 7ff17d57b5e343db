"""The plain rows the export writers consume. The vault side builds them; no I/O here.

Writers take ``Iterable[ExportRow]`` / ``Iterable[SuppressionRow]`` and stream them: a caller
should pass a generator over a database cursor, not a list, so 100,000 leads are never held twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

PURPOSE_SEPARATOR = ";"  # purposes in one CSV/XLSX cell: "sales_contact;product_info"

# The state of one purpose for a person, as presets read it (``consent.<code>``): a current grant,
# a withdrawal, a grant that lapsed, or never granted (refused, or not offered).
GRANTED, WITHDRAWN, EXPIRED, NOT_GRANTED = "granted", "withdrawn", "expired", "not_granted"
CONSENT_STATES = (GRANTED, WITHDRAWN, EXPIRED, NOT_GRANTED)


class _NoConsents(Mapping[str, str]):
    """The empty, immutable (and so shareable) default of :attr:`ExportRow.consents`."""

    __slots__ = ()

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return default


NO_CONSENTS: Mapping[str, str] = _NoConsents()


@dataclass(slots=True, kw_only=True)
class ExportRow:
    """One consenting person, with the evidence of their consent. Treat it as read-only.

    (Not ``frozen``: an export builds 100,000 of them and a frozen dataclass's ``__init__`` costs
    about twice as much, which shows in the CSV benchmark.)

    ``fields`` holds the captured attendee fields by our keys (``name``, ``company``, ``title``,
    ``phone`` (E.164), ``email``, ``wechat``, ``rating``, ``notes`` and any qualifying questions).
    ``purposes_granted`` are the purpose codes currently granted; ``consent_time`` is the ISO 8601
    time (with offset) of the consent event that granted them; ``certificate_id`` the id of its
    consent certificate. ``consents`` maps every purpose code the person ever decided on to its
    state now (:data:`CONSENT_STATES`); a purpose missing from it was never granted.
    ``email_opt_out`` / ``do_not_call``: no current grant of any purpose that uses email / the
    phone (a CRM's global opt-out flags).
    """

    lead_id: str
    event_id: str
    event_name: str
    device_id: str
    fields: Mapping[str, str]
    purposes_granted: tuple[str, ...]
    consent_time: str
    notice_version: int
    notice_sha256: str
    certificate_id: str
    consents: Mapping[str, str] = NO_CONSENTS
    email_opt_out: bool = False
    do_not_call: bool = False
    # Where the details came from: "booth" (captured here) or the partner whose list was imported
    # with the proof of authorisation whose SHA-256 is ``source_proof_sha256`` (issue #16).
    source: str = "booth"
    source_proof_sha256: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionRow:
    """Someone the CRM must stop contacting for some purposes (or at all, when ``erased``).

    ``email`` / ``phone`` may be empty (never given, or erased); ``withdrawn_at`` is ISO 8601 with
    offset; ``reason`` is a short English code or sentence ("withdrawal", "erasure", ...).
    ``email_sha256`` / ``phone_sha256`` are hashes kept at erasure time (see
    :mod:`consentbooth.exports.suppression` for the normalisation); they are used when the plain
    value is gone, so an erased person still reaches the CRM.

    ``email_opt_out`` / ``do_not_call``: the person may no longer be emailed / called for any
    purpose (erased, or no current grant of a purpose that uses that channel); the CRM-shaped
    suppression files set the CRM's own opt-out flags from them.
    """

    lead_id: str
    email: str
    phone: str
    purposes_withdrawn: tuple[str, ...]
    withdrawn_at: str
    erased: bool
    reason: str
    email_sha256: str = ""
    phone_sha256: str = ""
    email_opt_out: bool = False
    do_not_call: bool = False
