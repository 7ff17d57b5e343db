"""Opening the hub ops work on: a hub vault (a file) or a team hub on PostgreSQL (a URL).

``open_ops_hub`` gives a :class:`~consentbooth.services.booth.Booth` either way; every ops use
case (merge, exports, people, rights, certificates, evidence, devices) then runs the same over
its ``hub``. ``init_postgres_hub`` creates or upgrades a PostgreSQL hub and, the first time,
makes it the organisation (a root of trust and the hub's own certified ledger key, sealed under
the hub data key), as ``consentbooth init --role hub`` does for a hub vault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from consentbooth.core.logging import get_logger
from consentbooth.hub import is_postgres_url
from consentbooth.services.booth import Booth
from consentbooth.services.context import BoothContext

log = get_logger(__name__)

AskPassword = Callable[[], str] | None


@dataclass(frozen=True)
class HubKey:
    """How ops unlock a PostgreSQL hub's data key: a passphrase or a key file's text."""

    passphrase: str | None = None
    key_file_text: str | None = None


def _unlock(key: HubKey):
    from consentbooth.hub.postgres import Unlock

    return Unlock(passphrase=key.passphrase, key_file_text=key.key_file_text)


def open_ops_hub(location: str | Path, *, key: HubKey, ask_password: AskPassword = None,
                 create: bool = False) -> Booth:
    """The hub at ``location``: a ``postgresql://`` URL, or a hub vault path (``create``: made as
    the organisation's hub vault if it does not exist, as ``merge`` does)."""
    if is_postgres_url(str(location)):
        from consentbooth.hub.postgres import open_hub

        hub = open_hub(str(location), unlock=_unlock(key), ask_password=ask_password)
        try:
            return Booth.from_context(BoothContext.for_hub(hub))
        except BaseException:
            hub.close()
            raise
    path = Path(location)
    passphrase = key.passphrase or ""
    if create and not path.exists():
        return Booth.create(path, passphrase, role="hub")
    return Booth.unlock(path, passphrase)


@dataclass(frozen=True)
class HubInit:
    version_before: int
    version: int
    data_key_created: bool
    organisation_created: bool
    root_fingerprint: str
    device_id: str


def init_postgres_hub(url: str, *, key: HubKey, organisation_name: str | None = None, label: str = "ops",
                      ask_password: AskPassword = None) -> HubInit:
    """Create or upgrade the hub's schema; the first time, its data key (unlocked by ``key``) and
    the organisation's root of trust with the hub's own ledger key."""
    from consentbooth.crypto import pki
    from consentbooth.crypto.keys import new_secret
    from consentbooth.hub.postgres import open_hub, prepare
    from consentbooth.services import trust
    from consentbooth.vault.devices import Signer

    before, after, made_key = prepare(url, unlock=_unlock(key), label=label, ask_password=ask_password)
    hub = open_hub(url, unlock=_unlock(key), ask_password=ask_password)
    try:
        created = False
        if not hub.get_meta("device_id"):
            device = trust.new_organisation(organisation_name=organisation_name, role="hub")
            secret = new_secret()
            hub.set_meta({
                "device_id": device.device_id.encode(), "role": b"hub",
                "created_at": datetime.now(UTC).isoformat().encode(),
                "signing_key_pem": device.identity.key_pem, "signing_cert_pem": device.identity.cert_pem,
                "signing_chain_pem": device.identity.chain_pem, "digest_secret": secret,
                trust.ROOT_CERT: device.root_cert_pem, trust.ROOT_KEY: device.root_key_pem or b"",
            })
            hub.save_signer(Signer(device.device_id, device.identity.cert_pem, device.identity.chain_pem,
                                   device.identity.public_key_pem, "hub", secret))
            created = True
            log.info("PostgreSQL hub made the organisation's (a new root of trust)")
        root = hub.get_meta(trust.ROOT_CERT) or b""
        return HubInit(before, after, made_key, created, pki.fingerprint(root) if root else "",
                       (hub.get_meta("device_id") or b"").decode())
    finally:
        hub.close()


def add_hub_key(booth: Booth, *, label: str, key: HubKey) -> int:
    """Another ops person's passphrase (or a key file) for a PostgreSQL hub's data key."""
    from consentbooth.hub.postgres import add_key_slot

    return add_key_slot(_postgres(booth), label=label, unlock=_unlock(key))


def remove_hub_key(booth: Booth, *, label: str) -> int:
    """Remove someone's key slots from a PostgreSQL hub (then rotate the data key)."""
    from consentbooth.hub.postgres import remove_key_slot

    return remove_key_slot(_postgres(booth), label=label)


def rotate_hub_key(booth: Booth) -> int:
    """A new data key for a PostgreSQL hub; everything sealed re-sealed with it."""
    from consentbooth.hub.postgres import rotate_data_key

    return rotate_data_key(_postgres(booth))


def new_key_file(path: Path) -> None:
    """Write a new hub key file (0600, never overwriting): the private half of a key slot."""
    from consentbooth.core.errors import UserFacingError
    from consentbooth.core.files import write_atomic
    from consentbooth.crypto import envelope

    if Path(path).exists():
        raise UserFacingError("{path} already exists; a key file is never overwritten.", path=str(path))
    write_atomic(Path(path), envelope.key_file_text(envelope.new_slot_key()).encode())


def _postgres(booth: Booth):
    from consentbooth.core.errors import UserFacingError

    if booth.hub.kind != "postgresql":
        raise UserFacingError(
            "Only a PostgreSQL hub has a data key of its own; a hub vault is keyed by its passphrase.")
    return booth.hub
