"""What every use case works with: the open vault, this device, its keys and the setup cache.

One :class:`BoothContext` exists per unlocked vault. The concept modules of this package
(``capture``, ``rights``, ``configuration``, ``records``, ``certificates``, ``exports``,
``transfer``, ``maintenance``) are functions over it; :class:`~consentbooth.services.booth.Booth`
is a thin facade that hands each call over with its context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from consentbooth.core.errors import NotFound, ValidationError
from consentbooth.crypto.canonical import details_digest
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import DeviceId, Event, Organisation, Purpose
from consentbooth.domain.notice import Notice
from consentbooth.domain.validation import clean_text
from consentbooth.vault import journal, repo
from consentbooth.vault.store import Vault

SYSTEM_OPERATOR = "system"
T = TypeVar("T")


def now() -> datetime:
    """The local time with its offset: what the ledger records."""
    return datetime.now().astimezone()


@dataclass(eq=False)
class BoothContext:
    """An unlocked vault with this device's identity and a cache of its (non-personal) setup.

    Build it with :meth:`open`; :meth:`close` files the capture journal, closes the vault and
    forgets the keys.
    """

    vault: Vault
    device_id: DeviceId
    role: str
    identity: SigningIdentity  # the device key that signs the ledger (never replaced)
    secret: bytes  # keys the digests of captured details (the ledger holds no contact data)
    operator: str = SYSTEM_OPERATOR
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, vault: Vault) -> BoothContext:
        meta = repo.get_meta
        ctx = cls(
            vault=vault,
            device_id=DeviceId((meta(vault, "device_id") or b"").decode()),
            role=(meta(vault, "role") or b"booth").decode(),
            identity=SigningIdentity(
                key_pem=meta(vault, "signing_key_pem") or b"",
                cert_pem=meta(vault, "signing_cert_pem") or b"",
                chain_pem=meta(vault, "signing_chain_pem") or b"",
            ),
            secret=meta(vault, "digest_secret") or b"",
        )
        # Journalled captures are sealed into this device's ledger chain before the vault is
        # next read or written (vault/journal.py); the vault only knows it as a hook.
        identity = ctx.identity
        vault.set_settle_hook(lambda v: journal.settle(v, identity))
        return ctx

    def close(self) -> None:
        self.vault.close()  # files what the capture journal holds first
        self.vault.set_settle_hook(None)
        self._cache.clear()
        self.secret = b""
        self.identity = SigningIdentity(b"", b"")

    # -- the setup, cached until a setup write forgets it ----------------------------------------

    def cached(self, key: str, load: Callable[[], T]) -> T:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]  # type: ignore[return-value]

    def forget_setup(self) -> None:
        """Drop the cached setup (after a setup write, or a merge that brought events in)."""
        self._cache.clear()

    def organisation(self) -> Organisation | None:
        return repo.get_organisation(self.vault)

    def current_event(self) -> Event | None:
        return self.cached("event", lambda: repo.current_event(self.vault))

    def events(self) -> list[Event]:
        return repo.list_events(self.vault)

    def purposes(self) -> list[Purpose]:
        return list(self.cached("purposes", lambda: repo.list_purposes(self.vault)))

    def offered_purposes(self) -> list[Purpose]:
        return [p for p in self.purposes() if p.can_be_offered()]

    def notice(self) -> Notice | None:
        return self.cached("notice", lambda: repo.latest_notice(self.vault))

    def staff(self) -> list[repo.StaffMember]:
        return repo.list_staff(self.vault)

    def is_configured(self) -> bool:
        return bool(self.organisation() and self.current_event() and self.notice() and self.purposes())

    def event(self, event_id: str | None) -> Event:
        """The event ``event_id``, or the current one when None."""
        event = repo.get_event(self.vault, event_id) if event_id else self.current_event()
        if event is None:
            raise NotFound("No such event; create one in the setup first.")
        return event

    # -- who and what a record names ----------------------------------------------------------------

    def operator_for(self, given: str | None) -> str:
        """Who handles a capture or withdrawal: never a staff member who was deactivated."""
        operator = clean_text("operator", given or self.operator) or SYSTEM_OPERATOR
        inactive = self.cached(
            "inactive_initials", lambda: {s.initials for s in self.staff() if not s.active}
        )
        if operator in inactive:
            raise ValidationError(
                "operator",
                "{operator} is no longer active staff; choose a current operator.",
                operator=operator,
            )
        return operator

    def digest(self, fields: Mapping[str, str], signature_png: bytes | None) -> str:
        """The keyed digest of a person's details that the ledger records instead of them."""
        return details_digest(self.secret, fields, signature_png)

    @property
    def certificate_identity(self) -> SigningIdentity:
        """What signs the PDF certificates: an imported CA-issued PKCS#12, else the device key."""
        key = repo.get_meta(self.vault, "pdf_signing_key_pem")
        if not key:
            return self.identity
        return SigningIdentity(
            key_pem=key,
            cert_pem=repo.get_meta(self.vault, "pdf_signing_cert_pem") or b"",
            chain_pem=repo.get_meta(self.vault, "pdf_signing_chain_pem") or b"",
        )
