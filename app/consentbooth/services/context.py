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
from consentbooth.hub.interface import Hub
from consentbooth.hub.vaulthub import VaultHub
from consentbooth.vault import journal, repo
from consentbooth.vault.store import Vault

SYSTEM_OPERATOR = "system"
T = TypeVar("T")


def now() -> datetime:
    """The local time with its offset: what the ledger records."""
    return datetime.now().astimezone()


@dataclass(eq=False)
class BoothContext:
    """An unlocked vault (or hub) with this device's identity and a cache of its (non-personal)
    setup.

    Build it with :meth:`open` (a vault) or :meth:`for_hub` (a PostgreSQL hub: ``vault`` is then
    None and only the ops use cases, which go through ``hub``, apply); :meth:`close` files the
    capture journal, closes the vault and forgets the keys.
    """

    vault: Vault | None
    device_id: DeviceId
    role: str
    identity: SigningIdentity  # the device key that signs the ledger (never replaced)
    secret: bytes  # keys the digests of captured details (the ledger holds no contact data)
    operator: str = SYSTEM_OPERATOR
    hub: Hub = field(default=None, repr=False)  # type: ignore[assignment]  # set in __post_init__
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.hub is None and self.vault is not None:
            self.hub = VaultHub(self.vault)

    @classmethod
    def for_hub(cls, hub: Hub) -> BoothContext:
        """The context of a hub that is not a vault file (a PostgreSQL hub): its device, keys and
        setup come from the hub itself."""
        meta = hub.get_meta
        return cls(
            vault=None,
            hub=hub,
            device_id=DeviceId((meta("device_id") or b"").decode()),
            role=(meta("role") or b"hub").decode(),
            identity=SigningIdentity(
                key_pem=meta("signing_key_pem") or b"",
                cert_pem=meta("signing_cert_pem") or b"",
                chain_pem=meta("signing_chain_pem") or b"",
            ),
            secret=meta("digest_secret") or b"",
        )

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
        if self.vault is not None:
            self.vault.close()  # files what the capture journal holds first
            self.vault.set_settle_hook(None)
        else:
            self.hub.close()
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
        return self.hub.organisation()

    def current_event(self) -> Event | None:
        return self.cached("event", self.hub.current_event)

    def events(self) -> list[Event]:
        return self.hub.events()

    def purposes(self) -> list[Purpose]:
        return list(self.cached("purposes", self.hub.purposes))

    def offered_purposes(self) -> list[Purpose]:
        return [p for p in self.purposes() if p.can_be_offered()]

    def notice(self) -> Notice | None:
        return self.cached("notice", self.hub.latest_notice)

    def staff(self) -> list[repo.StaffMember]:
        return self.hub.staff()

    def is_configured(self) -> bool:
        return bool(self.organisation() and self.current_event() and self.notice() and self.purposes())

    def event(self, event_id: str | None) -> Event:
        """The event ``event_id``, or the current one when None."""
        event = self.hub.get_event(event_id) if event_id else self.current_event()
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
        key = self.hub.get_meta("pdf_signing_key_pem")
        if not key:
            return self.identity
        return SigningIdentity(
            key_pem=key,
            cert_pem=self.hub.get_meta("pdf_signing_cert_pem") or b"",
            chain_pem=self.hub.get_meta("pdf_signing_chain_pem") or b"",
        )
