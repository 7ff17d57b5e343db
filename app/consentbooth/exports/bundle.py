"""The encrypted, signed transfer bundle that carries one laptop's data to marketing ops.

Layers, outside in:

1. **age** (https://age-encryption.org/v1, via ``pyrage``), binary format, encrypted to one or
   more X25519 recipients (``age1…``): marketing ops' public key(s). Standard ``age`` / ``rage``
   open it: ``age -d -i ops.key laptop.cbbundle > envelope.zip``. age authenticates every byte
   (header MAC, ChaCha20-Poly1305 chunks): a flipped byte anywhere fails decryption.
2. **Envelope**: a ZIP archive (stored, not compressed) of exactly four members:

   ``manifest.json``
       RFC 8785 canonical JSON::

           {"created_at": "2025-05-01T09:30:00+00:00",
            "format": "consentbooth-bundle", "version": 1,
            "payload": {"name": "payload.bin", "sha256": "<hex>", "size": <bytes>},
            "signature": {"algorithm": "ecdsa-sha256" | "rsa-pkcs1v15-sha256",
                          "file": "manifest.sig"},
            "signer": {"certificate": "signer.pem", "certificate_sha256": "<hex of signer.pem>",
                       "public_key_sha256": "<hex of the DER SubjectPublicKeyInfo>"}}
   ``manifest.sig``
       the organisation key's signature (DER; ECDSA P-256 or RSA PKCS#1 v1.5, SHA-256) over the
       exact bytes of ``manifest.json``. The manifest binds the payload (size + SHA-256) and the
       signer certificate file (SHA-256), so the signature covers everything in the envelope.
   ``signer.pem``
       the signer's X.509 certificate (PEM), followed by its chain if it has one.
   ``payload.bin``
       the payload: opaque bytes (the caller's leads, ledger and certificates).

   Anyone with the decrypted envelope can check it with standard tools::

       unzip envelope.zip
       openssl x509 -in signer.pem -pubkey -noout > signer.pub
       openssl dgst -sha256 -verify signer.pub -signature manifest.sig manifest.json
       sha256sum payload.bin      # equals payload.sha256 in manifest.json

Why both: age gives confidentiality to ops, but anyone can encrypt to a public key; the signature
proves which organisation key made the bundle (check it with :func:`require_signer`).

A booth laptop holds only the ops *public* key: it can seal bundles but cannot open any bundle,
not even its own or another laptop's. Only the holder of the ops identity file
(``AGE-SECRET-KEY-…``, made by :func:`generate_ops_identity` / :func:`write_identity_file`,
kept at marketing ops) can.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyrage
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyrage import x25519

from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import atomic_writer
from consentbooth.core.i18n import Message
from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.crypto.keys import SigningIdentity, public_key_fingerprint, verify_signature

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "BundleDamaged",
    "BundleSignatureInvalid",
    "OpenedBundle",
    "SignerNotAllowed",
    "generate_ops_identity",
    "open_bundle",
    "public_key_fingerprint",
    "read_identity_file",
    "recipient_of",
    "require_signer",
    "seal_bundle",
    "write_identity_file",
]

BUNDLE_FORMAT = "consentbooth-bundle"
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNER = "signer.pem"
PAYLOAD = "payload.bin"
MEMBERS = (MANIFEST, SIGNATURE, SIGNER, PAYLOAD)
SECRET_PREFIX = "AGE-SECRET-KEY-"


class BundleDamaged(UserFacingError):
    """Could not be decrypted with this key, or is not a well-formed bundle."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "The bundle is damaged or was not encrypted for this key: {reason}", reason=reason
        )


class BundleSignatureInvalid(UserFacingError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            "The bundle's signature does not match its content: {reason}", reason=reason
        )


class SignerNotAllowed(UserFacingError):
    def __init__(self, subject: str, fingerprint: str) -> None:
        super().__init__(
            "The bundle is signed by a key that is not trusted here ({subject}, key SHA-256 "
            "{fingerprint}); it was not accepted.",
            subject=subject,
            fingerprint=fingerprint,
        )


@dataclass(frozen=True, kw_only=True)
class OpenedBundle:
    payload: bytes
    signer_cert_pem: bytes  # the signing certificate (first of signer.pem)
    signer_chain_pem: bytes  # any further certificates of signer.pem
    signer_public_key_pem: bytes
    signer_fingerprint: str  # SHA-256 hex of the signer's DER SubjectPublicKeyInfo
    signer_subject: str
    created_at: str
    payload_sha256: str


# ---------------------------------------------------------------------------------------------
# Keys


def generate_ops_identity() -> tuple[str, str]:
    """A fresh X25519 age identity: ``(secret "AGE-SECRET-KEY-1…", public key "age1…")``."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def _parse_identity(identity_text: str) -> x25519.Identity:
    """Accept a bare ``AGE-SECRET-KEY-…`` or the text of an age identity file (with comments)."""
    for line in identity_text.splitlines():
        line = line.strip()
        if line.startswith(SECRET_PREFIX):
            try:
                return x25519.Identity.from_str(line)
            except pyrage.IdentityError:
                break
    raise UserFacingError(
        "This is not an age secret key (a line starting with AGE-SECRET-KEY-); "
        "use the key file made by “consentbooth keygen-ops”."
    )


def _parse_recipient(public_key: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(public_key.strip())
    except pyrage.RecipientError:
        raise UserFacingError(
            "“{key}” is not an age public key (it starts with age1).", key=public_key.strip()[:80]
        ) from None


def recipient_of(identity_text: str) -> str:
    """The public key (``age1…``) that belongs to a secret key or identity file text."""
    return str(_parse_identity(identity_text).to_public())


def write_identity_file(*, path: Path, secret: str, overwrite: bool = False) -> str:
    """Write ``secret`` as an age identity file (mode 0600, atomically); return its public key.

    The format is the one ``age-keygen`` writes, so ``age -d -i KEYFILE`` reads it::

        # created: 2025-05-01T09:30:00+08:00
        # public key: age1…
        AGE-SECRET-KEY-1…

    An existing file is never replaced unless ``overwrite``: bundles sealed for the old key could
    not be opened any more.
    """
    path = Path(path)
    identity = _parse_identity(secret)
    if path.exists() and not overwrite:
        raise UserFacingError(
            "{path} already exists; an ops key is never overwritten, because bundles made for it "
            "could no longer be opened. Choose another file name.",
            path=str(path),
        )
    public = str(identity.to_public())
    created = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    with atomic_writer(path) as f:  # the temp file is 0600 before anything is written
        f.write(text.encode("ascii"))
    return public


def read_identity_file(path: Path) -> str:
    """The text of an age identity file, checked to hold an X25519 secret key."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserFacingError(
            "The ops key file {path} could not be read: {reason}",
            path=str(path),
            reason=getattr(exc, "strerror", None) or str(exc),
        ) from None
    _parse_identity(text)
    return text


# ---------------------------------------------------------------------------------------------
# Seal


def _algorithm(cert: x509.Certificate) -> str:
    key = cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ecdsa-sha256"
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa-pkcs1v15-sha256"
    raise UserFacingError("Only ECDSA or RSA keys can sign bundles (not Ed25519).")


def _zip_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    return info


def seal_bundle(
    *,
    payload: bytes,
    identity: SigningIdentity,
    recipients: Sequence[str],
    created_at: dt.datetime | None = None,
) -> bytes:
    """Sign ``payload`` with the organisation key and encrypt it to ``recipients`` (age1…).

    Returns a binary age file (see the module docstring for what is inside).
    """
    parsed = [_parse_recipient(r) for r in recipients]
    if not parsed:
        raise UserFacingError("A bundle needs at least one recipient (marketing ops' public key).")
    cert = identity.certificate
    signer_pem = identity.cert_pem + identity.chain_pem
    created = (created_at or dt.datetime.now(dt.UTC)).isoformat()
    manifest = canonical_bytes(
        {
            "format": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "created_at": created,
            "payload": {"name": PAYLOAD, "size": len(payload), "sha256": sha256_hex(payload)},
            "signature": {"file": SIGNATURE, "algorithm": _algorithm(cert)},
            "signer": {
                "certificate": SIGNER,
                "certificate_sha256": sha256_hex(signer_pem),
                "public_key_sha256": public_key_fingerprint(identity.public_key_pem),
            },
        }
    )
    signature = identity.sign(manifest)
    envelope = io.BytesIO()
    with zipfile.ZipFile(envelope, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(_zip_member(MANIFEST), manifest)
        zf.writestr(_zip_member(SIGNATURE), signature)
        zf.writestr(_zip_member(SIGNER), signer_pem)
        zf.writestr(_zip_member(PAYLOAD), payload)
    envelope_bytes = envelope.getvalue()
    del envelope
    try:
        return pyrage.encrypt(envelope_bytes, parsed)
    except pyrage.EncryptError as exc:
        raise UserFacingError(
            "The bundle could not be encrypted: {reason}", reason=str(exc)
        ) from None


# ---------------------------------------------------------------------------------------------
# Open


def _decrypt(data: bytes, identity: x25519.Identity) -> bytes:
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError as exc:
        detail = str(exc)
        if "No matching keys" in detail:
            reason = Message("it was sealed for a different ops key (or its header is damaged).")
        elif "fill whole buffer" in detail or not data.startswith(b"age-encryption.org/v1\n"):
            reason = Message("it is not an age-encrypted file, or it was cut short.")
        else:
            reason = Message("the encrypted data does not check out ({detail}).", detail=detail)
        raise BundleDamaged(reason) from None


def _read_envelope(envelope: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(envelope)) as zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            if sorted(names) != sorted(MEMBERS):
                raise BundleDamaged(
                    Message(
                        "it does not hold exactly {members} (found {names}).",
                        members=", ".join(MEMBERS),
                        names=", ".join(names)[:200] or Message("nothing"),
                    )
                )
            for info in infos:
                if info.file_size > len(envelope):
                    raise BundleDamaged("a member claims to be larger than the bundle.")
            return {name: zf.read(name) for name in MEMBERS}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise BundleDamaged(
            Message("its content is not a ConsentBooth bundle ({error}).", error=str(exc))
        ) from None


def _first_certificate(pem: bytes) -> tuple[x509.Certificate, bytes, bytes]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise BundleSignatureInvalid("the signer certificate cannot be read.") from None
    first = certs[0]
    first_pem = first.public_bytes(serialization.Encoding.PEM)
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs[1:])
    return first, first_pem, chain


def _subject(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string()
    except Exception:
        return "unknown signer"


def open_bundle(*, data: bytes, identity_text: str) -> OpenedBundle:
    """Decrypt ``data`` with the ops identity and verify its signature.

    Raises :class:`BundleDamaged` (wrong key, flipped byte, truncated, not a bundle) or
    :class:`BundleSignatureInvalid`. Whether the signer is trusted is a separate question:
    see :func:`require_signer`.
    """
    identity = _parse_identity(identity_text)
    members = _read_envelope(_decrypt(data, identity))
    manifest_bytes = members[MANIFEST]
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        if manifest.get("format") != BUNDLE_FORMAT:
            raise BundleDamaged("its content is not a ConsentBooth bundle.")
        if manifest.get("version") != BUNDLE_VERSION:
            raise UserFacingError(
                "The bundle was made by a newer ConsentBooth (format version {version}); "
                "update ConsentBooth to open it.",
                version=manifest.get("version"),
            )
        payload_info = manifest["payload"]
        signer_info = manifest["signer"]
        created_at = str(manifest["created_at"])
        expected_size = int(payload_info["size"])
        expected_sha = str(payload_info["sha256"])
        expected_cert_sha = str(signer_info["certificate_sha256"])
    except (
        UnicodeDecodeError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
    ) as exc:
        raise BundleDamaged(
            Message("its manifest cannot be read ({error}).", error=str(exc))
        ) from None

    cert, cert_pem, chain_pem = _first_certificate(members[SIGNER])
    public_pem = cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if not verify_signature(public_pem, members[SIGNATURE], manifest_bytes):
        raise BundleSignatureInvalid("the manifest signature is not valid for the signer's key.")
    if sha256_hex(members[SIGNER]) != expected_cert_sha:
        raise BundleSignatureInvalid("the signer certificate is not the one that signed.")
    payload = members[PAYLOAD]
    payload_sha = sha256_hex(payload)
    if len(payload) != expected_size or payload_sha != expected_sha:
        raise BundleSignatureInvalid("the payload was changed after it was signed.")
    return OpenedBundle(
        payload=payload,
        signer_cert_pem=cert_pem,
        signer_chain_pem=chain_pem,
        signer_public_key_pem=public_pem,
        signer_fingerprint=public_key_fingerprint(public_pem),
        signer_subject=_subject(cert),
        created_at=created_at,
        payload_sha256=payload_sha,
    )


def require_signer(opened: OpenedBundle, *, allowed_public_keys: Iterable[bytes | str]) -> None:
    """Raise :class:`SignerNotAllowed` unless the bundle's signer key is one of ``allowed``.

    Keys are PEM public keys (SubjectPublicKeyInfo); they are compared by fingerprint, so
    formatting differences (line breaks, str vs bytes) do not matter.
    """
    allowed = {public_key_fingerprint(k) for k in allowed_public_keys}
    if opened.signer_fingerprint not in allowed:
        raise SignerNotAllowed(opened.signer_subject, opened.signer_fingerprint)
