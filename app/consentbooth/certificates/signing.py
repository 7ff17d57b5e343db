"""PAdES signature of a certificate PDF with the organisation's key (pyHanko).

The signature embeds the signer's whole chain (leaf, then its CA certificates up to the
organisation's root), so a validator that trusts only the root (``pdfsig`` with the root in
its NSS store, pyHanko with ``--trust root.pem``) establishes the signer. With a time-stamping
authority it is PAdES B-T; :func:`add_long_term_validation` then adds the DSS (B-LT), as
``pyhanko sign ltvfix`` does.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from consentbooth.certificates.timestamps import DEFAULT_TIMEOUT, explain, make_timestamper
from consentbooth.core.errors import UserFacingError
from consentbooth.crypto.keys import SigningIdentity

FIELD_NAME = "ConsentBoothSignature"


def _der_blocks(data: bytes) -> list[bytes]:
    if not data.strip():
        return []
    if pem.detect(data):
        return [der for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [data]


def _signer(key_pem: bytes, cert_pem: bytes, chain_pem: bytes) -> signers.SimpleSigner:
    """A pyHanko signer from in-memory key and certificates.

    Deliberately not cached: it takes microseconds, and a cache would keep the organisation's
    private key alive after the vault is locked.
    """
    (key_der,) = _der_blocks(key_pem)
    (cert_der,) = _der_blocks(cert_pem)
    cert = asn1_x509.Certificate.load(cert_der)
    chain = [asn1_x509.Certificate.load(der) for der in _der_blocks(chain_pem)]
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),  # the signer's is added anyway
    )


def sign_pdf(
    pdf: bytes,
    *,
    identity: SigningIdentity,
    reason: str | None = "PIPL consent certificate",
    location: str | None = None,
    signer_name: str | None = None,
    timestamp_url: str | None = None,
    timestamp_timeout: float = DEFAULT_TIMEOUT,
) -> bytes:
    """Sign ``pdf`` (PAdES baseline B-B, ETSI.CAdES.detached) as a certification signature.

    The certification allows no further changes (DocMDP level 1) other than the validation
    data and document time-stamps PAdES adds later: any other edit is reported by validators.
    With ``timestamp_url`` the signature carries an RFC 3161 signature time-stamp (B-T).
    Raises ``UserFacingError`` if the key cannot sign or the time-stamping service fails.
    """
    signer = _signer(identity.key_pem, identity.cert_pem, identity.chain_pem)
    timestamper = (
        make_timestamper(timestamp_url, timeout=timestamp_timeout) if timestamp_url else None
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    # Reserving room for the CMS object up front saves pyHanko a dry-run signature (~40 %);
    # PEM is longer than the DER it encodes, so this is generous. Else use pyHanko's estimate.
    generous = 4096 + 2 * (len(identity.cert_pem) + len(identity.chain_pem))
    if timestamper is not None:
        generous += 12288  # the token: the TSA's signature and its certificates
    # What a time-stamping service can make fail: its connection, its answer (garbage that does
    # not even parse is a ValueError from asn1crypto). Without one, such errors are ours.
    tsa_failures = (TimestampRequestError, OSError, ValueError) if timestamper else ()
    try:
        return _sign(pdf, meta, signer, generous, timestamper)
    except SigningError:
        pass
    except tsa_failures as exc:
        raise explain(exc, str(timestamp_url)) from None
    try:
        return _sign(pdf, meta, signer, None, timestamper)
    except tsa_failures as exc:
        raise explain(exc, str(timestamp_url)) from None
    except SigningError as exc:
        raise UserFacingError(
            "The certificate could not be signed with the organisation's key ({detail}).",
            detail=str(exc),
        ) from exc


def _sign(
    pdf: bytes,
    meta: signers.PdfSignatureMetadata,
    signer: signers.SimpleSigner,
    reserved: int | None,
    timestamper: object | None = None,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.sign_pdf(
        writer, meta, signer=signer, bytes_reserved=reserved, timestamper=timestamper
    )
    return out.getvalue()


def _asn1_certs(pems: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(der) for data in pems for der in _der_blocks(data)]


def add_long_term_validation(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes],
    tsa_roots: Sequence[bytes] = (),
    crls: Sequence[bytes] = (),
) -> bytes:
    """``pdf`` with a DSS incremental update (PAdES B-LT), as ``pyhanko sign ltvfix`` adds.

    The document security store receives the signer's chain and, for a B-T signature, the
    TSA's, validated against ``trust_roots`` (the organisation's root) and ``tsa_roots``, and
    the revocation lists given in ``crls`` (DER; the root's current CRL from
    :func:`~consentbooth.crypto.pki.issue_crl`, the TSA's). Nothing is fetched from the network:
    the organisation's certificates name no CRL or OCSP service. The signed revision is
    untouched; verification accepts this update.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"]
    except Exception as exc:
        raise UserFacingError(
            "Long-term validation data cannot be added: the file is not a readable PDF ({detail}).",
            detail=str(exc),
        ) from None
    if not signatures:
        raise UserFacingError("Long-term validation data cannot be added: the PDF is not signed.")
    sig = signatures[0]
    try:
        roots = _asn1_certs([*trust_roots, *tsa_roots])
    except ValueError:
        raise UserFacingError("A trust root given for long-term validation is not a certificate.") from None
    context = ValidationContext(
        trust_roots=roots,
        other_certs=list(sig.other_embedded_certs),
        crls=list(crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        out = add_validation_info(sig, context, skip_timestamp=False, output=io.BytesIO())
    except (PathBuildingError, PathValidationError):
        raise UserFacingError(
            "Long-term validation data cannot be added: the signer (or its time-stamping "
            "authority) does not chain to the given trust roots."
        ) from None
    return out.getvalue()
