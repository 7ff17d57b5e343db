"""The booth's use cases over one unlocked vault: capture, withdraw, search, rights, evidence."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.crypto.canonical import keyed_digest
from consentbooth.crypto.keys import SigningIdentity, create_self_signed, load_pkcs12, new_secret
from consentbooth.domain.consent import CurrentState, fold_states
from consentbooth.domain.models import (
    Action,
    Channel,
    CollectionMethod,
    ConsentEvent,
    ConsentEventId,
    Decision,
    DeviceId,
    Event,
    Guardian,
    Lead,
    LeadId,
    Organisation,
    Purpose,
    new_id,
)
from consentbooth.domain.notice import Notice
from consentbooth.domain.validation import clean_text, validate_fields, validate_name
from consentbooth.exports.suppression import hash_email, hash_phone
from consentbooth.services import setup as setup_mod
from consentbooth.vault import journal, ledger, repo, sharing
from consentbooth.vault.store import Vault, create_vault, open_vault

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

log = get_logger(__name__)

SYSTEM_OPERATOR = "system"
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class CaptureRequest:
    fields: Mapping[str, str]
    purposes: Sequence[str]  # codes ticked
    language: str = "zh-CN"
    event_id: str | None = None
    operator: str | None = None
    collection_method: CollectionMethod = CollectionMethod.KIOSK
    purposes_shown: Sequence[str] | None = None  # default: every purpose offered
    signature_png: bytes | None = None
    under_14: bool = False
    guardian: Guardian | None = None


@dataclass(frozen=True, kw_only=True)
class CaptureResult:
    lead_id: LeadId | None  # None when nothing personal was stored (declined)
    ledger_id: str | None
    granted: tuple[str, ...]
    declined: bool


@dataclass(frozen=True, kw_only=True)
class PurposeState:
    code: str
    state: str  # granted / not_granted / withdrawn / expired
    since: str
    expires_at: str | None


@dataclass(frozen=True, kw_only=True)
class PersonRecord:
    lead: Lead
    event: Event | None
    states: tuple[PurposeState, ...]
    history: tuple[ConsentEvent, ...]
    ledger_ids: tuple[str, ...] = field(default=())

    def granted(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.states if s.state == Decision.GRANTED.value)


@dataclass(frozen=True, kw_only=True)
class DashboardStats:
    per_hour: tuple[int, ...]  # 24 local hours of the day
    shown: Mapping[str, int]  # purpose -> times offered that day
    granted: Mapping[str, int]  # purpose -> times ticked that day
    declined: int  # anonymous declines (all days)
    minor_refused: int
    total: int  # leads in the vault

    @property
    def today(self) -> int:
        return sum(self.per_hour)


def _now() -> datetime:
    return datetime.now().astimezone()


def _pin_kdf(salt: bytes) -> Scrypt:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt  # not at unlock (~10 ms)

    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1)


class Booth:
    """An unlocked vault and its use cases. Create with ``Booth.create`` or ``Booth.unlock``."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.device_id = DeviceId((repo.get_meta(vault, "device_id") or b"").decode())
        self.role = (repo.get_meta(vault, "role") or b"booth").decode()
        self._identity = SigningIdentity(
            key_pem=repo.get_meta(vault, "signing_key_pem") or b"",
            cert_pem=repo.get_meta(vault, "signing_cert_pem") or b"",
            chain_pem=repo.get_meta(vault, "signing_chain_pem") or b"",
        )
        self._secret = repo.get_meta(vault, "digest_secret") or b""
        vault.signer = self._identity  # seals journalled captures into the ledger (vault/journal.py)
        self.operator = SYSTEM_OPERATOR
        # Setup read on every capture (notice, purposes, event), cached until configure() runs.
        self._cache: dict[str, object] = {}

    def forget_setup(self) -> None:
        """Drop the cached setup (after a merge brought events or purposes in)."""
        self._cache.clear()

    def _cached(self, key: str, load: Callable[[], T]) -> T:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]  # type: ignore[return-value]

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        organisation: Organisation | None = None,
        demo: bool = False,
        role: str = "booth",
    ) -> Booth:
        """A new vault with its signing key."""
        vault = create_vault(Path(path), passphrase)
        org = organisation or (setup_mod.DEMO_ORGANISATION if demo else None)
        identity = create_self_signed(org.name if org else "ConsentBooth")
        device_id = new_id()
        with vault.transaction() as conn:
            repo.set_meta(conn, "device_id", device_id.encode())
            repo.set_meta(conn, "role", role.encode())
            repo.set_meta(conn, "created_at", datetime.now(UTC).isoformat().encode())
            repo.set_meta(conn, "signing_key_pem", identity.key_pem)
            repo.set_meta(conn, "signing_cert_pem", identity.cert_pem)
            repo.set_meta(conn, "digest_secret", new_secret())
            repo.ensure_signer(
                conn, device_id=device_id, cert_pem=identity.cert_pem, public_key_pem=identity.public_key_pem
            )
            if org:
                repo.set_organisation(conn, org)
        booth = cls(vault)
        if demo:
            booth.configure(
                organisation=setup_mod.DEMO_ORGANISATION,
                event=setup_mod.demo_event(),
                purposes=setup_mod.demo_purposes(),
                staff=setup_mod.DEMO_STAFF,
                staff_pin=setup_mod.DEMO_STAFF_PIN,
            )
        log.info("vault created (role %s)", role)
        return booth

    @classmethod
    def unlock(cls, path: Path, passphrase: str) -> Booth:
        from consentbooth.services.startup import open_booth  # one way in, for the GUI and the CLI

        return open_booth(path, passphrase)

    def lock(self) -> None:
        self.vault.close()  # files what the capture journal holds first
        self.vault.signer = None
        self._cache.clear()
        self._secret = b""
        self._identity = SigningIdentity(b"", b"")

    @property
    def is_open(self) -> bool:
        return self.vault.is_open

    @property
    def identity(self) -> SigningIdentity:
        """The device key that signs the ledger (created with the vault, never replaced)."""
        return self._identity

    @property
    def certificate_identity(self) -> SigningIdentity:
        """What signs the PDF certificates: an imported CA-issued PKCS#12, else the device key."""
        key = repo.get_meta(self.vault, "pdf_signing_key_pem")
        if not key:
            return self._identity
        return SigningIdentity(
            key_pem=key,
            cert_pem=repo.get_meta(self.vault, "pdf_signing_cert_pem") or b"",
            chain_pem=repo.get_meta(self.vault, "pdf_signing_chain_pem") or b"",
        )

    def import_certificate_identity(self, data: bytes, password: str | None) -> str:
        """Sign future certificates with the organisation's own PKCS#12 (e.g. issued by a CA).

        The ledger keeps its device key, so every earlier entry still verifies. Returns the
        certificate's subject for confirmation.
        """
        imported = load_pkcs12(data, password.encode() if password else None)
        with self.vault.transaction() as conn:
            repo.set_meta(conn, "pdf_signing_key_pem", imported.key_pem)
            repo.set_meta(conn, "pdf_signing_cert_pem", imported.cert_pem)
            repo.set_meta(conn, "pdf_signing_chain_pem", imported.chain_pem)
        log.info("certificate signing identity imported")
        return imported.certificate.subject.rfc4514_string()

    def change_passphrase(self, old: str, new: str) -> None:
        self.vault.change_passphrase(old, new)

    def backup(self, target: Path, passphrase: str) -> None:
        """An encrypted copy (same passphrase); ``passphrase`` is re-checked first."""
        open_vault(self.vault.path, passphrase).close()  # WrongPassphrase before anything is written
        self.vault.export_copy(Path(target), passphrase)

    # -- configuration --------------------------------------------------------------------

    def configure(
        self,
        *,
        organisation: Organisation | None = None,
        event: Event | None = None,
        purposes: Sequence[Purpose] | None = None,
        notice_sections: Mapping[str, Mapping[str, str]] | None = None,
        staff: Sequence[tuple[str, str]] = (),
        staff_pin: str | None = None,
    ) -> Notice | None:
        """Save the setup; (re)publish the notice from the template or the given sections."""
        org = organisation or self.organisation()
        ev = event or self.current_event()
        sections = notice_sections
        if sections is None and org and ev:
            offered = purposes if purposes is not None else self.purposes()
            sections = setup_mod.fill_notice(organisation=org, event=ev, purposes=offered)
        notice = None
        if sections is not None:
            Notice(version=0, sections=sections).check_publishable()
        if staff_pin is not None:
            self._check_pin_strength(staff_pin)
        self._cache.clear()
        with self.vault.transaction() as conn:
            if organisation:
                repo.set_organisation(conn, organisation)
            if event:
                repo.save_event(conn, event, current=True)
            if purposes is not None:
                repo.save_purposes(conn, purposes)
            for name, initials in staff:
                repo.save_staff(
                    conn, repo.StaffMember(id=new_id(), name=validate_name(name), initials=initials)
                )
            if staff_pin is not None:
                self._store_pin(conn, staff_pin)
            if sections is not None:
                current = self._latest_notice_in(conn)
                if current is None or dict(current) != {k: dict(v) for k, v in sections.items()}:
                    notice = repo.publish_notice(conn, sections)
        return notice

    @staticmethod
    def _latest_notice_in(conn) -> dict | None:
        import json

        row = conn.execute("SELECT sections FROM notices ORDER BY version DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row else None

    @staticmethod
    def _check_pin_strength(pin: str) -> None:
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise ValidationError("pin", "The staff PIN is 4 to 12 digits.")

    def check_staff_pin(self, pin: str) -> bool:
        stored = repo.get_meta(self.vault, "staff_pin")
        if not stored:
            return False
        from cryptography.exceptions import InvalidKey

        try:
            _pin_kdf(stored[:16]).verify(pin.encode(), stored[16:])
        except InvalidKey:
            return False
        return True

    def change_staff_pin(self, *, current: str, new: str) -> None:
        """Replace the staff PIN (it guards leaving kiosk mode); the current PIN must be given."""
        if not self.check_staff_pin(current):
            raise ValidationError("current_pin", "The current staff PIN is not correct; the PIN was not changed.")
        self._check_pin_strength(new)
        with self.vault.transaction() as conn:
            self._store_pin(conn, new)
        log.info("staff PIN changed")

    @staticmethod
    def _store_pin(conn, pin: str) -> None:
        salt = secrets.token_bytes(16)
        repo.set_meta(conn, "staff_pin", salt + _pin_kdf(salt).derive(pin.encode()))

    def organisation(self) -> Organisation | None:
        return repo.get_organisation(self.vault)

    def current_event(self) -> Event | None:
        return self._cached("event", lambda: repo.current_event(self.vault))

    def events(self) -> list[Event]:
        return repo.list_events(self.vault)

    def purposes(self) -> list[Purpose]:
        return list(self._cached("purposes", lambda: repo.list_purposes(self.vault)))

    def offered_purposes(self) -> list[Purpose]:
        return [p for p in self.purposes() if p.can_be_offered()]

    def notice(self) -> Notice | None:
        return self._cached("notice", lambda: repo.latest_notice(self.vault))

    def staff(self) -> list[repo.StaffMember]:
        return repo.list_staff(self.vault)

    def set_operator(self, operator: str) -> None:
        self.operator = clean_text("operator", operator) or SYSTEM_OPERATOR

    def is_configured(self) -> bool:
        return bool(self.organisation() and self.current_event() and self.notice() and self.purposes())

    # -- capture --------------------------------------------------------------------------

    def _event(self, event_id: str | None) -> Event:
        event = repo.get_event(self.vault, event_id) if event_id else self.current_event()
        if event is None:
            raise NotFound("No such event; create one in the setup first.")
        return event

    def _operator(self, given: str | None) -> str:
        """Who handles a capture or withdrawal: never a staff member who was deactivated."""
        operator = clean_text("operator", given or self.operator) or SYSTEM_OPERATOR
        inactive = self._cached(
            "inactive_initials", lambda: {s.initials for s in repo.list_staff(self.vault) if not s.active}
        )
        if operator in inactive:
            raise ValidationError(
                "operator",
                "{operator} is no longer active staff; choose a current operator.",
                operator=operator,
            )
        return operator

    def _digest(self, fields: Mapping[str, str], signature_png: bytes | None) -> str:
        return keyed_digest(
            self._secret,
            {
                "fields": dict(fields),
                "signature_sha256": hashlib.sha256(signature_png).hexdigest() if signature_png else "",
            },
        )

    def required_fields(
        self, purpose_codes: Sequence[str], purposes: Mapping[str, Purpose] | None = None
    ) -> tuple[str, ...]:
        """The fields the given purposes need (PIPL Art. 6 minimisation: only these are mandatory)."""
        by_code = purposes if purposes is not None else {p.code: p for p in self.purposes()}
        needed: list[str] = []
        for code in purpose_codes:
            for f in by_code[code].required_fields if code in by_code else ():
                if f not in needed:
                    needed.append(f)
        return tuple(needed)

    def capture(self, request: CaptureRequest) -> CaptureResult:
        """Store a lead and its consent event in ONE transaction; a decline stores nothing personal."""
        return self.capture_batch([request])[0]

    def capture_batch(self, requests: Sequence[CaptureRequest]) -> list[CaptureResult]:
        """Validate every request first, then store them all in ONE durable transaction.

        Used for single captures, for bulk entry of paper forms and for synthetic benchmark data.
        Any invalid request refuses the whole batch and stores nothing.
        """
        notice = self.notice()
        if notice is None:
            raise UserFacingError("No privacy notice is published yet; finish the setup first.")
        offered = {p.code: p for p in self.offered_purposes()}
        events: dict[str | None, Event] = {}
        prepared = []
        for request in requests:
            if request.event_id not in events:
                events[request.event_id] = self._event(request.event_id)
            prepared.append(self._prepare(request, events[request.event_id], notice, offered))
        results: list[CaptureResult] = []
        # The durable commit journals each capture in one row (vault/journal.py); the ledger,
        # the tables and the search index take it in before the next read, or at once for a batch.
        with self.vault.transaction(settle=False) as conn:
            for item in prepared:
                results.append(self._store(conn, offered, *item))
        self.vault.note_backlog()
        if len(prepared) > 1:
            self.vault.settle()
        refused = [item for item in prepared if item[0] == "minor_refused"]
        if refused:
            raise UserFacingError(
                "We cannot record details of a child under 14 without a guardian's separate "
                "consent. Nothing was stored."
            )
        return results

    def _prepare(
        self, request: CaptureRequest, event: Event, notice: Notice, offered: Mapping[str, Purpose]
    ) -> tuple:
        shown = tuple(request.purposes_shown) if request.purposes_shown is not None else tuple(offered)
        for code in (*shown, *request.purposes):
            if code not in offered:
                raise ValidationError("purposes", "“{code}” is not a purpose offered here.", code=code)
        ticked = tuple(dict.fromkeys(request.purposes))
        for code in ticked:
            if code not in shown:
                raise ValidationError("purposes", "“{code}” was not shown to the attendee.", code=code)
        if request.language not in ("zh-CN", "en"):
            raise ValidationError("language", "The language must be zh-CN or en.")
        now = _now()
        if not ticked:
            return ("declined", event, now)
        guardian = request.guardian
        if request.under_14:
            if guardian is None or not guardian.name.strip() or not guardian.relationship.strip():
                return ("minor_refused", event, now)
            guardian = Guardian(
                name=validate_name(guardian.name),
                relationship=clean_text("relationship", guardian.relationship),
            )
        fields = validate_fields(request.fields, self.required_fields(ticked, offered))
        operator = self._operator(request.operator)
        lead_id = LeadId(new_id())
        digest = self._digest(fields, request.signature_png)
        lead = Lead(
            id=lead_id,
            event_id=event.id,
            fields=fields,
            language=request.language,
            operator=operator,
            device_id=self.device_id,
            captured_at=now,
            collection_method=request.collection_method,
            signature_png=request.signature_png,
            guardian=guardian,
        )
        decisions = {c: (Decision.GRANTED if c in ticked else Decision.NOT_GRANTED) for c in shown}
        consent = ConsentEvent(
            id=ConsentEventId(new_id()),
            action=Action.CONSENT,
            lead_id=lead_id,
            event_id=event.id,
            decisions=decisions,
            purposes_shown=shown,
            notice_version=notice.version,
            notice_sha256=notice.sha256(request.language),
            language=request.language,
            channel=Channel.KIOSK.value
            if request.collection_method is CollectionMethod.KIOSK
            else Channel.IN_PERSON.value,
            collection_method=request.collection_method.value,
            operator=operator,
            device_id=self.device_id,
            occurred_at=now,
            data_digest=digest,
            extra={"guardian_consent": True} if guardian else {},
        )
        return ("captured", event, now, lead, consent)

    def _store(
        self, conn, offered: Mapping[str, Purpose], kind: str, event: Event, now: datetime, *rest: object
    ) -> CaptureResult:
        if kind != "captured":
            repo.bump_anonymous_count(conn, event_id=event.id, kind=kind, at=now)
            return CaptureResult(lead_id=None, ledger_id=None, granted=(), declined=kind == "declined")
        lead, consent = rest
        assert isinstance(lead, Lead) and isinstance(consent, ConsentEvent)
        journal.record(
            conn,
            lead_row=repo.lead_row(lead, data_digest=consent.data_digest),
            event=consent.to_record(),
            states=self._states(consent, event, offered),
        )
        return CaptureResult(lead_id=lead.id, ledger_id=consent.id, granted=consent.granted(), declined=False)

    def _states(
        self, consent: ConsentEvent, event: Event, by_code: Mapping[str, Purpose]
    ) -> list[CurrentState]:
        """The consent states a capture sets (retention per purpose, else the event's)."""
        def retention(code: str) -> int:
            purpose = by_code.get(code)
            return purpose.retention_days if purpose and purpose.retention_days else event.retention_days

        return list(fold_states([consent], retention).values())

    # -- withdrawal, correction, erasure --------------------------------------------------------

    def _lead(self, lead_id: str) -> Lead:
        lead = repo.get_lead(self.vault, lead_id)
        if lead is None:
            raise NotFound("No lead with id {lead_id}.", lead_id=lead_id)
        return lead

    def withdraw(
        self,
        *,
        lead_id: str,
        purposes: Sequence[str],
        channel: str = Channel.IN_PERSON.value,
        request_date: date | None = None,
        operator: str | None = None,
        note: str = "",
    ) -> str:
        """Record a withdrawal of ``purposes``; returns the ledger entry id."""
        lead = self._lead(lead_id)
        try:
            channel = Channel(channel).value
        except ValueError:
            raise ValidationError(
                "channel",
                "Unknown channel “{channel}”; use in_person, phone, email, wechat or hub.",
                channel=channel,
            ) from None
        states = repo.consent_states(self.vault, lead.id)
        if not purposes:
            raise ValidationError("purposes", "Choose at least one purpose to withdraw.")
        for code in purposes:
            if states.get(code, ("",))[0] != Decision.GRANTED.value:
                raise ValidationError(
                    "purposes",
                    "This person has no current consent for “{code}”; nothing to withdraw.",
                    code=code,
                )
        today = date.today()
        if request_date and request_date > today:
            raise ValidationError("request_date", "The request date cannot be in the future.")
        return self._record_change(
            lead=lead,
            action=Action.WITHDRAWAL,
            decisions={c: Decision.WITHDRAWN for c in dict.fromkeys(purposes)},
            channel=channel,
            request_date=request_date or today,
            operator=operator,
            note=clean_text("notes", note, allow_newlines=True),
        )

    def _record_change(
        self,
        *,
        lead: Lead,
        action: Action,
        decisions: Mapping[str, Decision],
        channel: str,
        operator: str | None,
        note: str = "",
        request_date: date | None = None,
        erase: bool = False,
    ) -> str:
        now = _now()
        operator = self._operator(operator)
        notice = self.notice()
        digest = repo.lead_digest(self.vault, lead.id) or ""
        change = ConsentEvent(
            id=ConsentEventId(new_id()),
            action=action,
            lead_id=lead.id,
            event_id=lead.event_id,
            decisions=decisions,
            purposes_shown=tuple(decisions),
            notice_version=notice.version if notice else 0,
            notice_sha256=notice.sha256(lead.language) if notice else "",
            language=lead.language,
            channel=channel,
            collection_method=lead.collection_method.value,
            operator=operator,
            device_id=self.device_id,
            occurred_at=now,
            data_digest=digest,
            request_date=request_date,
            note=note,
        )
        since = now.astimezone(UTC).isoformat()
        with self.vault.transaction() as conn:
            entry = ledger.append(conn, event=change, identity=self._identity)
            for code, decision in decisions.items():
                repo.set_consent_state(
                    conn, lead_id=lead.id, purpose=code, state=decision.value, since=since,
                    expires_at=None, ledger_id=entry.id,
                )
            if erase:
                # Only hashes remain, so the suppression list can still reach the CRM.
                sharing.save_suppression_keys(
                    conn,
                    lead_id=lead.id,
                    email_sha256=hash_email(lead.fields.get("email", "")),
                    phone_sha256=hash_phone(lead.fields.get("phone", "")),
                )
                repo.erase_lead(conn, lead.id)
        return entry.id

    def correct(self, *, lead_id: str, fields: Mapping[str, str]) -> None:
        """Correct a person's details (Art. 46); purposes they hold keep their required fields."""
        lead = self._lead(lead_id)
        if lead.erased_at:
            raise UserFacingError("This person's details were erased; there is nothing to correct.")
        states = repo.consent_states(self.vault, lead.id)
        granted = [c for c, s in states.items() if s[0] == Decision.GRANTED.value]
        merged = {**lead.fields, **fields}
        cleaned = validate_fields(merged, self.required_fields(granted))
        with self.vault.transaction() as conn:
            repo.update_lead_fields(conn, lead.id, cleaned, self._digest(cleaned, lead.signature_png))

    def erase(self, *, lead_id: str, operator: str | None = None, note: str = "") -> str:
        """Delete a person's details (Art. 47); a pseudonymous evidence record remains."""
        lead = self._lead(lead_id)
        if lead.erased_at:
            raise UserFacingError("This person's details were already erased.")
        states = repo.consent_states(self.vault, lead.id)
        decisions = {
            c: Decision.WITHDRAWN for c, s in states.items() if s[0] == Decision.GRANTED.value
        }
        return self._record_change(
            lead=lead,
            action=Action.ERASURE,
            decisions=decisions,
            channel=Channel.IN_PERSON.value,
            operator=operator,
            note=clean_text("notes", note, allow_newlines=True),
            erase=True,
        )

    def purge_expired(self, *, now: datetime | None = None) -> list[str]:
        """Erase every lead kept past its retention period (PIPL Art. 19).

        The period is the shorter of the event's period when the person was captured (what
        their notice said) and today's: lengthening it later never keeps anyone longer than
        they were told. Each lead gets an ``expiry`` ledger event (its grants become expired)
        and loses its details; the pseudonymous evidence stays. Returns the lead ids.
        """
        now = now or _now()
        purged = []
        for event in self.events():
            versions = repo.event_versions(self.vault, event.id)
            shortest = min(e.retention_days for e in (event, *versions))
            cutoff = (now - timedelta(days=shortest)).astimezone(UTC).isoformat()
            for lead_id in repo.leads_captured_before(self.vault, event_id=event.id, cutoff=cutoff):
                lead = self._lead(lead_id)
                then = repo.event_as_of(self.vault, event.id, lead.captured_at) or event
                if lead.captured_at > now - timedelta(days=min(event.retention_days, then.retention_days)):
                    continue
                states = repo.consent_states(self.vault, lead.id)
                decisions = {
                    c: Decision.EXPIRED for c, s in states.items() if s[0] == Decision.GRANTED.value
                }
                self._record_change(
                    lead=lead, action=Action.EXPIRY, decisions=decisions,
                    channel=Channel.SYSTEM.value, operator=SYSTEM_OPERATOR,
                    note="retention period ended", erase=True,
                )
                purged.append(lead_id)
        if purged:
            log.info("retention purge erased %d leads", len(purged))
        return purged

    # -- reading ------------------------------------------------------------------------------

    def search(self, query: str = "", *, limit: int = 200, offset: int = 0) -> list[repo.LeadSummary]:
        return repo.search_leads(self.vault, query, limit=limit, offset=offset)

    def count(self, query: str = "") -> int:
        return repo.count_leads(self.vault, query)

    def record(self, lead_id: str) -> PersonRecord:
        """Everything held about a person: details, current consent per purpose, history."""
        lead = self._lead(lead_id)
        states = {
            c: PurposeState(code=c, state=s[0], since=s[1], expires_at=s[2])
            for c, s in repo.consent_states(self.vault, lead.id).items()
        }
        entries = ledger.entries(self.vault, lead_id=lead.id)
        for entry in entries:  # purposes shown but never granted
            for code, decision in entry.event.decisions.items():
                if code not in states and decision is Decision.NOT_GRANTED:
                    since = entry.event.occurred_at.astimezone(UTC).isoformat()
                    states[code] = PurposeState(code=code, state=decision.value, since=since, expires_at=None)
        return PersonRecord(
            lead=lead,
            event=repo.get_event(self.vault, lead.event_id),
            states=tuple(states[c] for c in sorted(states)),
            history=tuple(e.event for e in entries),
            ledger_ids=tuple(e.id for e in entries),
        )

    def issue_certificate(self, ledger_id: str) -> str:
        """Render, sign and store the certificate of a consent or withdrawal (slow: background)."""
        from consentbooth.services.certificates import issue_certificate

        return issue_certificate(self, ledger_id)

    def export_certificate(self, lead_id: str, target: Path, *, history: bool = False) -> int:
        from consentbooth.services.certificates import export_certificate

        return export_certificate(self, lead_id=lead_id, target=target, history=history)

    def verify_ledger(self) -> ledger.LedgerReport:
        return ledger.verify(self.vault)

    def record_minor_refusal(self, *, event_id: str | None = None) -> None:
        """Count (anonymously) an attendee under 14 whose details were not taken."""
        event = self._event(event_id)
        with self.vault.transaction() as conn:
            repo.bump_anonymous_count(conn, event_id=event.id, kind="minor_refused", at=_now())

    def dashboard_stats(self, *, event_id: str | None = None, day: date | None = None) -> DashboardStats:
        """Leads per local hour of ``day`` and the consent rate per purpose, computed in SQL."""
        day = day or date.today()
        start = datetime(day.year, day.month, day.day).astimezone()
        end = start + timedelta(days=1)
        per_hour = [0] * 24
        since = start.astimezone(UTC).strftime("%Y-%m-%dT%H:00Z")
        for bucket, n in repo.captured_per_utc_hour(self.vault, event_id=event_id, since_utc=since).items():
            local = datetime.strptime(bucket, "%Y-%m-%dT%H:00Z").replace(tzinfo=UTC).astimezone()
            if start <= local < end:
                per_hour[local.hour] += n
        shown: dict[str, int] = {}
        granted: dict[str, int] = {}
        for code, decision, n in repo.decisions_at_capture(
            self.vault, event_id=event_id, since=start.isoformat(), until=end.isoformat()
        ):
            shown[code] = shown.get(code, 0) + n
            if decision == Decision.GRANTED.value:
                granted[code] = granted.get(code, 0) + n
        counts = repo.anonymous_counts(self.vault, event_id)
        return DashboardStats(
            per_hour=tuple(per_hour), shown=shown, granted=granted,
            declined=counts.get("declined", 0), minor_refused=counts.get("minor_refused", 0),
            total=self.count(),
        )

    def anonymous_counts(self, event_id: str | None = None) -> dict[str, int]:
        return repo.anonymous_counts(self.vault, event_id)
