"""Enrolment files: how a booth laptop (or a hub) joins the organisation.

A PKCS#12 protected by a short human-typable code, holding a fresh device key, its root-signed
certificate (the role in the OU, the device id as common name) and the root. Every way a file or
code can be unusable is one :class:`EnrolmentError` sentence.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from consentbooth.core.errors import UserFacingError
from consentbooth.crypto.keys import SigningIdentity, pkcs8_pem
from consentbooth.crypto.pki import (
    NAME_MAX,
    certificate_role,
    is_ca,
    issued_by,
    name_attribute,
    new_identity,
    path_problem,
    pem_of,
    utc_now,
)

# Enrolment codes: 16 characters of Crockford's base32 (no I, L, O, U), shown in 4 groups of 4.
# 80 bits from ``secrets``; typed back, O reads as 0 and I/L as 1, case and dashes ignored.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LEN = 4, 4
_CODE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class EnrolmentError(UserFacingError):
    """An enrolment file or code that cannot be used; the sentence says why."""


@dataclass(frozen=True)
class Enrolment:
    identity: SigningIdentity  # the device key, its certificate and (chain_pem) the root
    root_cert_pem: bytes
    device_id: str
    organisation_name: str
    role: str = "device"  # "device" (a booth laptop) or "hub" (ops' merge machine)


ENROLLABLE = ("device", "hub")


def new_enrolment_code() -> str:
    """A fresh code such as ``7K2Q-M9XD-4HTR-0BWE`` (80 random bits, easy to read aloud)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(chars[i : i + CODE_GROUP_LEN] for i in range(0, len(chars), CODE_GROUP_LEN))


def normalise_enrolment_code(code: str) -> str:
    """The code as the file is encrypted with: no spaces or dashes, uppercase, O→0, I/L→1."""
    return re.sub(r"[\s\-_.]", "", code).upper().translate(_CODE_FIXES)


def make_enrolment(
    root: SigningIdentity,
    *,
    device_id: str,
    organisation_name: str,
    code: str,
    role: str = "device",
) -> bytes:
    """A PKCS#12 enrolment file: a fresh device key, its root-signed certificate, the root.

    ``role`` is "device" (a booth laptop) or "hub" (a merge machine joining the organisation).
    """
    if role not in ENROLLABLE:
        raise ValueError(f"role must be one of {ENROLLABLE}, not {role!r}")
    secret = normalise_enrolment_code(code)
    if len(secret) < 8:
        raise EnrolmentError("The enrolment code is too short; use the code the app suggests.")
    device = new_identity(root, role=role, subject_name=device_id, organisation_name=organisation_name)
    key = serialization.load_pem_private_key(device.key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return pkcs12.serialize_key_and_certificates(
        name=f"ConsentBooth device {device_id}".encode()[:NAME_MAX],
        key=key,
        cert=device.certificate,
        cas=[root.certificate],
        encryption_algorithm=serialization.BestAvailableEncryption(secret.encode("ascii")),
    )


def _looks_like_pkcs12(data: bytes) -> bool:
    """Does ``data`` parse as a PKCS#12 PFX structure (even if we cannot decrypt it)?"""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in (
            "data",
            "signed_data",
        )
    except (ValueError, TypeError, KeyError):
        return False


def read_enrolment(data: bytes, code: str, *, at: dt.datetime | None = None) -> Enrolment:
    """Open an enrolment file with its code; ``EnrolmentError`` (one sentence) if unusable."""
    secret = normalise_enrolment_code(code).encode("ascii", "replace")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        if _looks_like_pkcs12(data):
            raise EnrolmentError(
                "The enrolment code does not open this enrolment file; check the code and try again."
            ) from None
        raise EnrolmentError("This is not an enrolment file (a PKCS#12 file from ConsentBooth is expected).") from None
    if key is None or cert is None:
        raise EnrolmentError("The enrolment file holds no device key; ask for a new enrolment file.")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise EnrolmentError("The enrolment file holds a key of an unsupported type; ask for a new enrolment file.")
    if key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        raise EnrolmentError("The enrolment file's key does not match its certificate; ask for a new enrolment file.")
    roots = [c for c in (extra or []) if is_ca(c)]
    if not roots:
        raise EnrolmentError(
            "The enrolment file holds no organisation root certificate (CA); ask for a new enrolment file."
        )
    root = next((r for r in roots if issued_by(cert, r)), None)
    if root is None:
        raise EnrolmentError(
            "The device certificate in the enrolment file is not signed by the organisation root it carries."
        )
    role = certificate_role(cert)
    if role not in ENROLLABLE:
        raise EnrolmentError("The enrolment file's certificate is not for a booth device.")
    when = utc_now(at)
    for which in (cert, root):
        if when > which.not_valid_after_utc:
            raise EnrolmentError("The enrolment file has expired; ask for a new enrolment file.")
        if when < which.not_valid_before_utc:
            raise EnrolmentError(
                "The enrolment file is not valid yet; check this computer's date and time."
            )
    problem = path_problem([cert, root], when)
    if problem is not None:
        raise EnrolmentError(
            "The enrolment file's certificates are not a valid chain; ask for a new enrolment file."
        )
    device_id = name_attribute(cert.subject, NameOID.COMMON_NAME) or ""
    organisation = name_attribute(cert.subject, NameOID.ORGANIZATION_NAME) or ""
    root_pem = pem_of(root)
    return Enrolment(
        identity=SigningIdentity(key_pem=pkcs8_pem(key), cert_pem=pem_of(cert), chain_pem=root_pem),
        root_cert_pem=root_pem,
        device_id=device_id,
        organisation_name=organisation,
        role=str(role),
    )
