"""PAdES signature of a certificate PDF with the organisation's key (pyHanko)."""

from __future__ import annotations

import io

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator.registry import SimpleCertificateStore

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
) -> bytes:
    """Sign ``pdf`` (PAdES baseline B-B, ETSI.CAdES.detached) as a certification signature.

    The certification allows no further changes (DocMDP level 1): any later edit is reported
    by validators. Raises ``UserFacingError`` if the key cannot sign.
    """
    signer = _signer(identity.key_pem, identity.cert_pem, identity.chain_pem)
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
    try:
        return _sign(pdf, meta, signer, generous)
    except SigningError:
        pass
    try:
        return _sign(pdf, meta, signer, None)
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
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=reserved)
    return out.getvalue()
