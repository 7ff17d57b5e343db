"""A key and a self-signed certificate of one's own: what a forger (or a stranger's tool) makes.

The app never makes one (every signing key is certified by the organisation's root, crypto/pki.py);
tests use it to play the forger and to sign bundles and PDFs with a key nobody vouches for.
"""

from __future__ import annotations

import datetime as dt

from consentbooth.crypto.keys import SigningIdentity, pkcs8_pem


def create_self_signed(organisation_name: str, *, years: int = 10) -> SigningIdentity:
    """A fresh ECDSA P-256 key with a self-signed certificate fit for document signing."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, (organisation_name or "ConsentBooth")[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, (organisation_name or "ConsentBooth")[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ConsentBooth consent records"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(
        key_pem=pkcs8_pem(key),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
    )
