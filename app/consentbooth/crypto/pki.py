"""The organisation's root of trust: one root CA that certifies every signing key.

A two-level hierarchy, made with ``cryptography`` (nothing hand-rolled):

- the **root**: ECDSA P-256, ``CA:true, pathlen:0`` (critical), key usage keyCertSign + cRLSign +
  digitalSignature (critical), subject ``O=<organisation>, CN=<organisation> ConsentBooth root``,
  valid for 25 years. Its SHA-256 fingerprint (of the DER certificate) is what people compare:
  it is printed on every certificate and shown in the console.
- **leaves**, one per signing key: ``CA:false``, key usage digitalSignature + contentCommitment
  (critical), extended key usage emailProtection (what NSS, and so poppler's ``pdfsig``,
  requires of a document signer), subject and authority key identifiers. The role is written
  in the subject's OU ("ConsentBooth device" / "ConsentBooth PDF signer" / "ConsentBooth hub")
  and read back with :func:`certificate_role`.

An enrolment file joins a booth laptop to the organisation (``crypto/enrolment.py``).

Bad input from people (a PEM that is not a CA, a malformed enrolment file, a wrong code) raises
a ``UserFacingError`` with one sentence; a chain check returns a :class:`ChainResult` instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import Message
from consentbooth.crypto.keys import SigningIdentity, pkcs8_pem

ROLES = ("device", "pdf", "hub")
ROLE_OU = {
    "device": "ConsentBooth device",
    "pdf": "ConsentBooth PDF signer",
    "hub": "ConsentBooth hub",
    "root": "ConsentBooth root",
}
_OU_ROLE = {ou: role for role, ou in ROLE_OU.items()}
NAME_MAX = 64  # ub-common-name / ub-organization-name (RFC 5280, appendix A)
CLOCK_SKEW = dt.timedelta(days=1)  # booth laptops' clocks drift: certificates start a day early

class TrustRootError(UserFacingError):
    """A certificate offered as a trust root that cannot be one; the sentence says why."""


# ---------------------------------------------------------------------------------------------
# Fingerprints and small readers.


def _der(cert: x509.Certificate | bytes) -> bytes:
    if isinstance(cert, x509.Certificate):
        return cert.public_bytes(serialization.Encoding.DER)
    if cert.lstrip().startswith(b"-----"):
        return x509.load_pem_x509_certificate(cert).public_bytes(serialization.Encoding.DER)
    return cert


def fingerprint(cert: bytes | x509.Certificate) -> str:
    """SHA-256 of the DER certificate, 64 lowercase hex digits (PEM, DER or a loaded cert)."""
    return hashlib.sha256(_der(cert)).hexdigest()


def format_fingerprint(hex_digest: str) -> str:
    """A fingerprint for people: uppercase, in groups of four ("AB12 CD34 …", 16 groups).

    Groups of four are what ``certutil``/``openssl -fingerprint`` readers compare easily by eye,
    and a SHA-256 splits evenly into 16 of them (two lines of 8 where space is short).
    """
    digits = re.sub(r"[^0-9a-fA-F]", "", hex_digest).upper()
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _load_any(data: bytes) -> list[x509.Certificate]:
    """Every certificate in PEM (one or more blocks) or DER ``data``; ValueError if none."""
    if b"-----BEGIN" in data:
        return list(x509.load_pem_x509_certificates(data))
    return [x509.load_der_x509_certificate(data)]


def pem_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def certificate_role(cert: bytes | x509.Certificate) -> str | None:
    """"device", "pdf", "hub" or "root" for a ConsentBooth certificate; None for any other."""
    loaded = cert if isinstance(cert, x509.Certificate) else _load_any(cert)[0]
    return _OU_ROLE.get(name_attribute(loaded.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) or "")


def organisation_of(cert: bytes | x509.Certificate) -> str | None:
    """The subject's organisation name (O), if any."""
    loaded = cert if isinstance(cert, x509.Certificate) else _load_any(cert)[0]
    return name_attribute(loaded.subject, NameOID.ORGANIZATION_NAME)


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def utc_now(at: dt.datetime | None = None) -> dt.datetime:
    return (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def _in_validity(cert: x509.Certificate, at: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


# ---------------------------------------------------------------------------------------------
# Making the root and the leaves.


def _clip(text: str, fallback: str = "ConsentBooth") -> str:
    return (text.strip() or fallback)[:NAME_MAX]


def create_root(organisation_name: str, *, years: int = 25) -> SigningIdentity:
    """A fresh root: ECDSA P-256 key and self-signed CA certificate (pathlen 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    org = _clip(organisation_name)
    suffix = " ConsentBooth root"
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ROLE_OU["root"]),
            x509.NameAttribute(NameOID.COMMON_NAME, org[: NAME_MAX - len(suffix)] + suffix),
        ]
    )
    now = utc_now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(key_pem=pkcs8_pem(key), cert_pem=pem_of(cert))


def _root_parts(root: SigningIdentity) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]:
    cert = root.certificate
    if not is_ca(cert):
        raise TrustRootError("This certificate is not a certificate authority (CA), so it cannot be a root of trust.")
    return cert, root.private_key


def certify(
    root: SigningIdentity,
    *,
    public_key_pem: bytes,
    role: str,
    subject_name: str,
    organisation_name: str,
    years: int = 10,
) -> bytes:
    """A leaf certificate (PEM) for ``public_key_pem``, signed by ``root``, for ``role``.

    The leaf never outlives the root, and never starts before it.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    root_cert, root_key = _root_parts(root)
    public_key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise ValueError("only ECDSA and RSA keys can be certified")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _clip(organisation_name)),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ROLE_OU[role]),
            x509.NameAttribute(NameOID.COMMON_NAME, _clip(subject_name)),
        ]
    )
    now = utc_now()
    not_before = max(now - CLOCK_SKEW, root_cert.not_valid_before_utc)
    not_after = min(now + dt.timedelta(days=365 * years), root_cert.not_valid_after_utc)
    root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(root_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
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
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    return pem_of(cert)


def new_identity(
    root: SigningIdentity, *, role: str, subject_name: str, organisation_name: str, years: int = 10
) -> SigningIdentity:
    """A fresh P-256 key with its leaf certificate; ``chain_pem`` is the root certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    cert_pem = certify(
        root,
        public_key_pem=public_pem,
        role=role,
        subject_name=subject_name,
        organisation_name=organisation_name,
        years=years,
    )
    return SigningIdentity(key_pem=pkcs8_pem(key), cert_pem=cert_pem, chain_pem=root.cert_pem)


# ---------------------------------------------------------------------------------------------
# Trust roots and chains.


def load_trust_root(pem_or_der: bytes, *, at: dt.datetime | None = None) -> x509.Certificate:
    """The CA certificate in ``pem_or_der`` (the first one of a PEM bundle).

    Raises ``TrustRootError`` (one sentence) when it is not a certificate, not a CA, or not
    valid now (expired or not yet valid).
    """
    try:
        cert = _load_any(pem_or_der)[0]
    except (ValueError, TypeError, IndexError):
        raise TrustRootError("This file is not a certificate (PEM or DER expected).") from None
    if not is_ca(cert):
        raise TrustRootError(
            "This certificate is not a certificate authority (CA), so it cannot be a root of trust."
        )
    when = utc_now(at)
    if when > cert.not_valid_after_utc:
        raise TrustRootError(
            "This root certificate expired on {date}.", date=cert.not_valid_after_utc.date().isoformat()
        )
    if when < cert.not_valid_before_utc:
        raise TrustRootError(
            "This root certificate is not valid before {date}; check the computer's clock.",
            date=cert.not_valid_before_utc.date().isoformat(),
        )
    return cert


@dataclass(frozen=True)
class ChainResult:
    """Whether a certificate chains to one of the trusted roots, and what is known either way.

    ``root_fingerprint``: the trusted root it chains to, or (untrusted) the fingerprint of the
    top certificate of the chain it carries. ``reason`` is a :class:`Message` for people.
    """

    trusted: bool
    root_fingerprint: str | None
    role: str | None
    reason: Message
    path: tuple[x509.Certificate, ...] = ()  # leaf first, the trusted root last (if trusted)


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def path_problem(path: Sequence[x509.Certificate], at: dt.datetime) -> Message | None:
    """Why ``path`` (leaf first, anchor last, each issued by the next) is not a valid chain."""
    for depth, cert in enumerate(path):
        if not _in_validity(cert, at):
            if depth == 0:
                return Message("the signer's certificate is not valid at that time (expired or not yet valid)")
            return Message("a certificate authority in the chain is not valid at that time")
        if depth == 0:
            continue
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            return Message("a certificate in the chain is not a certificate authority")
        if not constraints.ca:
            return Message("a certificate in the chain is not a certificate authority")
        below = depth - 1  # CA certificates below this one, not counting the leaf
        if constraints.path_length is not None and below > constraints.path_length:
            return Message("the chain is longer than its certificate authority allows")
        try:
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
            if not usage.key_cert_sign:
                return Message("a certificate authority in the chain may not sign certificates")
        except x509.ExtensionNotFound:
            pass
    return None


def _library_accepts(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    anchor: x509.Certificate,
    at: dt.datetime,
) -> bool:
    """A second opinion from ``cryptography``'s RFC 5280 path validator (Web PKI CA rules).

    The checks above give the reason people read; this one keeps the decision in a
    well-kept library. The leaf is held to no Web PKI profile (it is a document signer).
    """
    from cryptography.x509 import verification

    try:
        verifier = (
            verification.PolicyBuilder()
            .store(verification.Store([anchor]))
            .time(at)
            .extension_policies(
                ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=verification.ExtensionPolicy.permit_all(),
            )
            .build_client_verifier()
        )
        verifier.verify(leaf, [c for c in pool if c != anchor])
    except (verification.VerificationError, ValueError, TypeError):
        return False
    return True


def chain_to_root(
    cert_pem: bytes,
    chain_pem: bytes,
    roots: Sequence[x509.Certificate],
    *,
    at: dt.datetime | None = None,
) -> ChainResult:
    """Does ``cert_pem`` chain (through the CA certificates in ``chain_pem``) to one of ``roots``?

    Checks each link's signature, validity at ``at`` (default: now), the CA flag, key usage and
    path length of every issuer. Never raises on bad input: an unreadable certificate is an
    untrusted result with a reason.
    """
    when = utc_now(at)
    try:
        leaf = _load_any(cert_pem)[0]
        pool = _load_any(chain_pem) if chain_pem.strip() else []
    except (ValueError, TypeError, IndexError):
        return ChainResult(False, None, None, Message("the certificate cannot be read"))
    role = certificate_role(leaf)
    # Follow issuers through the carried chain; stop at a trusted root or a self-issued top.
    path = [leaf]
    anchor: x509.Certificate | None = None
    while anchor is None and len(path) <= 8:
        current = path[-1]
        anchor = next((r for r in roots if issued_by(current, r)), None)
        if anchor is not None:
            break
        if any(fingerprint(current) == fingerprint(r) for r in roots):
            anchor = current  # the leaf itself is a trusted root (a self-signed identity)
            path.pop()
            break
        issuer = next((c for c in pool if c not in path and issued_by(current, c)), None)
        if issuer is None:
            break
        path.append(issuer)
    if anchor is None:
        return ChainResult(
            False,
            fingerprint(path[-1]),
            role,
            Message(
                "the signer's certificate does not chain to a trusted root (its chain ends at {fingerprint})",
                fingerprint=format_fingerprint(fingerprint(path[-1])),
            ),
            tuple(path),
        )
    full = [*path, anchor]
    problem = path_problem(full, when) or (
        None if anchor is leaf or _library_accepts(leaf, pool, anchor, when) else
        Message("the certificate chain does not meet the X.509 path validation rules")
    )
    if problem is not None:
        return ChainResult(False, fingerprint(anchor), role, problem, tuple(full))
    return ChainResult(
        True,
        fingerprint(anchor),
        role,
        Message(
            "the signer's certificate chains to the trusted root {fingerprint}",
            fingerprint=format_fingerprint(fingerprint(anchor)),
        ),
        tuple(full),
    )


def issue_crl(
    root: SigningIdentity,
    *,
    revoked: Sequence[tuple[int, dt.datetime]] = (),
    days: int = 365,
) -> bytes:
    """A certificate revocation list (DER) signed by ``root``: ``revoked`` (serial, date) pairs.

    Long-term validation (PAdES B-LT) embeds revocation data for every certificate of the
    chain; the organisation's leaves name no CRL or OCSP service, so the root's own current
    CRL is what proves they were not revoked.
    """
    root_cert, root_key = _root_parts(root)
    now = utc_now()
    root_ski = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(min(now + dt.timedelta(days=days), root_cert.not_valid_after_utc))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    crl = builder.sign(root_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)


__all__ = [
    "ROLES",
    "ChainResult",
    "TrustRootError",
    "certificate_role",
    "certify",
    "chain_to_root",
    "create_root",
    "fingerprint",
    "format_fingerprint",
    "issue_crl",
    "load_trust_root",
    "new_identity",
    "organisation_of",
]
