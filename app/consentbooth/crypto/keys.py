"""The organisation's signing identity: an ECDSA P-256 key and an X.509 certificate.

Certified by the organisation's root (crypto/pki.py); an organisation can import its own PKCS#12.
``cryptography`` loads on first use (~20 ms), not with the vault: unlocking needs none of it.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from consentbooth.core.errors import UserFacingError

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa


@dataclass(frozen=True)
class SigningIdentity:
    """Private key (PKCS#8 PEM) and certificate chain (PEM), as stored inside the vault."""

    key_pem: bytes
    cert_pem: bytes
    chain_pem: bytes = b""

    def __getstate__(self) -> dict[str, bytes]:
        # Pickled for worker processes: send the PEM bytes, never the loaded key object.
        return {"key_pem": self.key_pem, "cert_pem": self.cert_pem, "chain_pem": self.chain_pem}

    @cached_property
    def private_key(self) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        key = serialization.load_pem_private_key(self.key_pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
        return key

    @property
    def certificate(self) -> x509.Certificate:
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def public_key_pem(self) -> bytes:
        return public_key_pem(self.certificate)

    def sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

        key = self.private_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hashes.SHA256()))
        return key.sign(data, PKCS1v15(), hashes.SHA256())


def public_key_pem(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def normalise_public_pem(pem: bytes) -> bytes:
    """The canonical SubjectPublicKeyInfo PEM of a public key, for byte comparison."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(pem)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_fingerprint(public_key_pem: bytes | str) -> str:
    """SHA-256 hex of the DER SubjectPublicKeyInfo of a PEM public key: how a device (and a
    bundle's signer) is named to people and in approvals."""
    import hashlib

    from cryptography.hazmat.primitives import serialization

    if isinstance(public_key_pem, str):
        public_key_pem = public_key_pem.encode("ascii")
    key = serialization.load_pem_public_key(public_key_pem)
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


@functools.lru_cache(maxsize=64)
def _public_key(public_pem: bytes):
    """A parsed public key: a merge checks 100,000 signatures of one laptop's key, and parsing
    its PEM each time cost more than the signature check itself."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(public_pem)


@functools.cache
def _verifying():
    """What a signature check needs, imported once (a merge checks 100,000 signatures)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

    return InvalidSignature, hashes, ec, rsa, PKCS1v15, ec.ECDSA(hashes.SHA256())


def verify_signature(public_pem: bytes, signature: bytes, data: bytes) -> bool:
    InvalidSignature, hashes, ec, rsa, PKCS1v15, ecdsa_sha256 = _verifying()
    try:
        key = _public_key(bytes(public_pem))
    except ValueError:
        return False
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ecdsa_sha256)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, PKCS1v15(), hashes.SHA256())
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def pkcs8_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_pkcs12(data: bytes, password: bytes | None) -> SigningIdentity:
    """Import an organisation's own key and CA-issued certificate (PKCS#12)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise UserFacingError(
            "The PKCS#12 file could not be opened: wrong password or not a PKCS#12 file."
        ) from None
    if key is None or cert is None:
        raise UserFacingError("The PKCS#12 file must hold a private key and its certificate.")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise UserFacingError("Only ECDSA or RSA keys can sign certificates (not Ed25519).")
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (extra or []))
    return SigningIdentity(
        key_pem=pkcs8_pem(key),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        chain_pem=chain,
    )


def new_secret() -> bytes:
    return secrets.token_bytes(32)
