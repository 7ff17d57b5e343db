"""The organisation's root of trust, as the vaults hold it, and who may speak for it.

Every vault is one of two kinds:

- **the organisation** (a single booth laptop, or marketing ops' hub): it holds the root key and
  certificate (``crypto/pki.py``) and certifies its own ledger key with it; it can enrol other
  laptops (:func:`enrol_device`);
- **an enrolled laptop**: it was created from an enrolment file the organisation gave it (a device
  key the root certified, and the root certificate); it holds no root key.

Either way every signing key (the ledger key of each laptop, which also signs its PDF
certificates, and the hub's) chains to the root, whose fingerprint is printed on every
certificate. A vault made before the root of trust existed becomes its own organisation at its
first open (:func:`ensure_root`): a root is made and certifies the key it already had, so every
earlier ledger entry still verifies.

A hub admits a bundle only from a device whose certificate chains to its root, or that ops
approved by fingerprint (:func:`approve_devices`); see ``services/admission.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import write_atomic
from consentbooth.core.logging import get_logger
from consentbooth.core.paths import config_dir, ensure_private_dir
from consentbooth.crypto import enrolment, pki
from consentbooth.crypto.keys import SigningIdentity, new_secret, public_key_fingerprint
from consentbooth.domain.models import new_id
from consentbooth.hub.interface import Hub
from consentbooth.services.context import BoothContext
from consentbooth.vault import devices, repo
from consentbooth.vault.store import Vault

log = get_logger(__name__)

ROOT_KEY = "root_key_pem"
ROOT_CERT = "root_cert_pem"
DEFAULT_NAME = "ConsentBooth"


@dataclass(frozen=True)
class NewDevice:
    """What a new vault is given: its id, role, ledger key (certified) and the root."""

    device_id: str
    role: str  # "booth" or "hub" (the vault's role; its certificate says device / hub)
    identity: SigningIdentity  # chain_pem: the root certificate
    root_cert_pem: bytes
    root_key_pem: bytes | None  # only the organisation's own vault holds it


def _certificate_role(vault_role: str) -> str:
    return "hub" if vault_role == "hub" else "device"


def new_organisation(*, organisation_name: str | None, role: str) -> NewDevice:
    """A vault that is the organisation: a new root that certifies a new ledger key."""
    name = organisation_name or DEFAULT_NAME
    root = pki.create_root(name)
    device_id = new_id()
    identity = pki.new_identity(
        root, role=_certificate_role(role), subject_name=device_id, organisation_name=name
    )
    return NewDevice(device_id, role, identity, root.cert_pem, root.key_pem)


def read_enrolment_file(data: bytes, code: str) -> enrolment.Enrolment:
    """An enrolment file opened with its code; one sentence for each way it can be unusable."""
    return enrolment.read_enrolment(data, code)


def joining(joined: enrolment.Enrolment) -> NewDevice:
    """A vault created from an enrolment file: the device the organisation certified."""
    role = "hub" if joined.role == "hub" else "booth"
    return NewDevice(joined.device_id, role, joined.identity, joined.root_cert_pem, None)


def write_device(vault: Vault, device: NewDevice) -> None:
    """Give a new vault its device id, role, ledger key, root and digest key."""
    secret = new_secret()
    with vault.transaction() as conn:
        meta = {
            "device_id": device.device_id.encode(),
            "role": device.role.encode(),
            "created_at": datetime.now(UTC).isoformat().encode(),
            "signing_key_pem": device.identity.key_pem,
            "signing_cert_pem": device.identity.cert_pem,
            "signing_chain_pem": device.identity.chain_pem,
            "digest_secret": secret,
            ROOT_CERT: device.root_cert_pem,
        }
        if device.root_key_pem:
            meta[ROOT_KEY] = device.root_key_pem
        for key, value in meta.items():
            repo.set_meta(conn, key, value)
        devices.save_signer(conn, _own_signer(device.device_id, device.identity, device.role, secret))


def _own_signer(device_id: str, identity: SigningIdentity, role: str, secret: bytes) -> devices.Signer:
    return devices.Signer(
        device_id=device_id, cert_pem=identity.cert_pem, chain_pem=identity.chain_pem,
        public_key_pem=identity.public_key_pem, role=_certificate_role(role), digest_secret=secret,
    )


def ensure_root(vault: Vault) -> None:
    """A vault made before the root of trust becomes its own organisation (once, at its first
    open): a root certifies the ledger key it already has, so every entry still verifies."""
    if repo.get_meta(vault, ROOT_CERT):
        return
    meta = {k: repo.get_meta(vault, k) or b"" for k in (
        "device_id", "role", "signing_key_pem", "signing_cert_pem", "digest_secret")}
    identity = SigningIdentity(key_pem=meta["signing_key_pem"], cert_pem=meta["signing_cert_pem"])
    device_id, role = meta["device_id"].decode(), meta["role"].decode() or "booth"
    organisation = repo.get_organisation(vault)
    name = organisation.name if organisation else (pki.organisation_of(identity.cert_pem) or DEFAULT_NAME)
    root = pki.create_root(name)
    cert = pki.certify(
        root, public_key_pem=identity.public_key_pem, role=_certificate_role(role),
        subject_name=device_id, organisation_name=name,
    )
    certified = SigningIdentity(key_pem=identity.key_pem, cert_pem=cert, chain_pem=root.cert_pem)
    with vault.transaction() as conn:
        repo.set_meta(conn, ROOT_KEY, root.key_pem)
        repo.set_meta(conn, ROOT_CERT, root.cert_pem)
        repo.set_meta(conn, "signing_cert_pem", cert)
        repo.set_meta(conn, "signing_chain_pem", root.cert_pem)
        devices.save_signer(conn, _own_signer(device_id, certified, role, meta["digest_secret"]))
    log.info("root of trust created for a vault made before it")


# -- what a vault tells about its root ------------------------------------------------------------

@dataclass(frozen=True)
class RootInfo:
    cert_pem: bytes
    fingerprint: str  # SHA-256 of the DER certificate, hex
    subject: str
    not_after: str
    holds_key: bool  # this vault is the organisation (it can enrol laptops)
    device_fingerprint: str = ""  # this vault's own ledger key (what a hub approves), hex

    @property
    def display_fingerprint(self) -> str:
        return pki.format_fingerprint(self.fingerprint)


def root_info(ctx: BoothContext) -> RootInfo:
    """The organisation's root this vault trusts (and, if it holds its key, is)."""
    cert_pem = ctx.hub.get_meta(ROOT_CERT)
    if not cert_pem:
        raise UserFacingError("This vault has no organisation root yet; open it once with this version.")
    cert = pki.load_trust_root(cert_pem)
    return RootInfo(
        cert_pem=cert_pem,
        fingerprint=pki.fingerprint(cert_pem),
        subject=cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc.date().isoformat(),
        holds_key=bool(ctx.hub.get_meta(ROOT_KEY)),
        device_fingerprint=public_key_fingerprint(ctx.identity.public_key_pem),
    )


def export_root(ctx: BoothContext, target: Path, *, der: bool = False) -> RootInfo:
    """Write the organisation's root certificate (PEM, or DER) for ops to publish: whoever holds
    it (``consentbooth trust add``, pdfsig's NSS store) can tell a genuine certificate."""
    info = root_info(ctx)
    data = info.cert_pem
    if der:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    write_atomic(Path(target), data)
    return info


def save_enrolment(ctx: BoothContext, target: Path, *, role: str = "device") -> EnrolmentFile:
    """Write a new enrolment file to ``target``; its code is only in what this returns."""
    enrolment = enrol_device(ctx, role=role)
    write_atomic(Path(target), enrolment.data)
    return enrolment


def signing_root_fingerprint(identity: SigningIdentity) -> str:
    """The fingerprint of the root a signing identity chains to (the top of its chain): the
    organisation's root, or for an imported CA-issued PKCS#12 the top certificate it carries."""
    from cryptography import x509

    chain = x509.load_pem_x509_certificates(identity.chain_pem) if identity.chain_pem.strip() else []
    return pki.fingerprint(chain[-1] if chain else identity.certificate)


def _meta(store: Vault | Hub, key: str) -> bytes | None:
    return repo.get_meta(store, key) if isinstance(store, Vault) else store.get_meta(key)


def root_identity(store: Vault | Hub) -> SigningIdentity:
    key = _meta(store, ROOT_KEY)
    cert = _meta(store, ROOT_CERT)
    if not key or not cert:
        raise UserFacingError(
            "Only the organisation's own vault (the one holding its root key) can enrol laptops; "
            "this vault was enrolled by it."
        )
    return SigningIdentity(key_pem=key, cert_pem=cert)


def trusted_roots(store: Vault | Hub) -> list[bytes]:
    cert = _meta(store, ROOT_CERT)
    return [cert] if cert else []


# -- enrolment -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EnrolmentFile:
    data: bytes
    code: str  # tell it to the person at the laptop; it is not stored anywhere
    device_id: str
    root_fingerprint: str


def enrol_device(ctx: BoothContext, *, role: str = "device") -> EnrolmentFile:
    """An enrolment file for a new booth laptop (``role`` "device") or hub ("hub") of this
    organisation, with its one-time code."""
    root = root_identity(ctx.hub)
    organisation = ctx.hub.organisation()
    name = organisation.name if organisation else (pki.organisation_of(root.cert_pem) or DEFAULT_NAME)
    code = enrolment.new_enrolment_code()
    device_id = new_id()
    data = enrolment.make_enrolment(root, device_id=device_id, organisation_name=name, code=code, role=role)
    log.info("enrolment file made for a new device")
    return EnrolmentFile(data=data, code=code, device_id=device_id, root_fingerprint=pki.fingerprint(root.cert_pem))


# -- devices a hub knows -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceTrust:
    trusted: bool
    how: str  # "root" (certified by our root), "approved" (by fingerprint), "" (unknown)
    fingerprint: str  # SHA-256 of the device's public key (SubjectPublicKeyInfo), hex
    role: str  # "device" or "hub"
    reason: str


def device_trust(store: Vault | Hub, *, cert_pem: bytes, chain_pem: bytes, public_key_pem: bytes,
                 approved: set[str] | None = None, roots: Sequence[bytes] | None = None) -> DeviceTrust:
    """Does this hub's root certify the device, or did ops approve it by fingerprint?"""
    fingerprint = public_key_fingerprint(public_key_pem)
    anchors = [pki.load_trust_root(r) for r in (roots if roots is not None else trusted_roots(store))]
    chain = pki.chain_to_root(cert_pem, chain_pem, anchors)
    role = "hub" if chain.role == "hub" else "device"
    if chain.trusted and chain.role in ("device", "hub"):
        return DeviceTrust(True, "root", fingerprint, role, str(chain.reason))
    if approved is None:
        approved = devices.approved(store) if isinstance(store, Vault) else store.approved()
    if fingerprint in approved:
        return DeviceTrust(True, "approved", fingerprint, "device", "approved by fingerprint")
    return DeviceTrust(False, "", fingerprint, role, str(chain.reason))


def approve_devices(ctx: BoothContext, fingerprints: Iterable[str], *, operator: str | None = None,
                    note: str = "") -> list[str]:
    """Accept bundles from these devices (SHA-256 key fingerprints, as merge reports them)."""
    cleaned = [normalise_fingerprint(f) for f in fingerprints]
    operator = operator or ctx.operator
    ctx.hub.approve(cleaned, operator=operator, note=note)
    log.info("%d device(s) approved by fingerprint", len(cleaned))
    return cleaned


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed ("AB12 CD34 …", "ab:12:…") in the stored form (64 hex digits)."""
    digits = "".join(c for c in text.lower() if c in "0123456789abcdef")
    if len(digits) != 64 or any(c not in "0123456789abcdef:  -" for c in text.lower()):
        raise UserFacingError(
            "“{text}” is not a device fingerprint (64 hexadecimal digits, as merge reports it).",
            text=text[:80],
        )
    return digits


@dataclass(frozen=True)
class KnownDevice:
    device_id: str
    fingerprint: str
    role: str
    trust: DeviceTrust
    events: int  # ledger events of its chain held here


def known_devices(ctx: BoothContext) -> list[KnownDevice]:
    """Every device whose chain this vault holds, and whether its root or ops vouch for it."""
    heads = ctx.hub.chain_heads()
    approved = ctx.hub.approved()
    roots = trusted_roots(ctx.hub)
    found = []
    for signer in ctx.hub.signers().values():
        verdict = device_trust(ctx.hub, cert_pem=signer.cert_pem, chain_pem=signer.chain_pem,
                               public_key_pem=signer.public_key_pem, approved=approved, roots=roots)
        head = heads.get(signer.device_id)
        found.append(KnownDevice(signer.device_id, verdict.fingerprint, signer.role, verdict,
                                 head.device_seq if head else 0))
    return found


# -- the trust list: organisation roots a verifier imported once (no vault needed) -------------------

def _trust_dir() -> Path:
    return config_dir() / "trusted-roots"


@dataclass(frozen=True)
class TrustedRoot:
    fingerprint: str
    subject: str
    not_after: str
    pem: bytes


def import_trust_root(data: bytes) -> TrustedRoot:
    """Trust an organisation's root (PEM or DER, as ``consentbooth root --export`` writes it) for
    every later ``verify``: a certificate that chains to it can then be VALID without its vault.
    A certificate that is not a CA, or expired, is refused with one sentence."""
    from cryptography.hazmat.primitives import serialization

    cert = pki.load_trust_root(data)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    fingerprint = pki.fingerprint(cert)
    write_atomic(ensure_private_dir(_trust_dir()) / f"{fingerprint}.pem", pem)
    log.info("a trust root was imported")
    return TrustedRoot(fingerprint, cert.subject.rfc4514_string(), cert.not_valid_after_utc.date().isoformat(), pem)


def trusted_root_list() -> list[TrustedRoot]:
    found = []
    folder = _trust_dir()
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else ():
        try:
            cert = pki.load_trust_root(path.read_bytes())
        except (OSError, UserFacingError):
            continue  # expired or damaged: it simply does not count any more
        found.append(TrustedRoot(pki.fingerprint(cert), cert.subject.rfc4514_string(),
                                 cert.not_valid_after_utc.date().isoformat(), path.read_bytes()))
    return found


def trust_list() -> list[bytes]:
    """The PEM of every root imported with :func:`import_trust_root` (still valid)."""
    return [root.pem for root in trusted_root_list()]


def remove_trust_root(fingerprint: str) -> bool:
    path = _trust_dir() / f"{normalise_fingerprint(fingerprint)}.pem"
    if not path.exists():
        return False
    path.unlink()
    return True
