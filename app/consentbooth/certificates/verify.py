"""Verify a certificate PDF: PAdES signature, signer key, embedded record, QR payload.

Every check is reported with a reason; a damaged or tampered file is a failed check, never an
exception. The verdict is one line for people; ``checks`` say what was found. Check names are
stable codes; details and the verdict are :class:`~consentbooth.core.i18n.Message` objects: the
English text as a string, rendered in the UI language with ``_()``.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import algos, cms, tsp
from asn1crypto import parser as asn1_parser
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from consentbooth.certificates.pdf import QR_ATTACHMENT, RECORD_ATTACHMENT
from consentbooth.certificates.qr import QrPayload, parse_qr_payload
from consentbooth.certificates.record import consistency_problems
from consentbooth.core.i18n import Message
from consentbooth.crypto.canonical import canonical_bytes, sha256_hex


@dataclass(frozen=True)
class Check:
    name: str  # a stable code: pdf_signature, qr_payload, …
    ok: bool
    detail: str  # a Message: English as a string; ``_(detail)`` in the UI language


@dataclass
class VerificationReport:
    ok: bool
    verdict: str  # a Message, like Check.detail
    checks: list[Check] = field(default_factory=list)
    record: dict[str, Any] | None = None
    certificate_id: str | None = None
    signer_fingerprint: str | None = None  # SHA-256 of the signer's SubjectPublicKeyInfo (hex)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def _spki_der(public_key: bytes) -> bytes:
    """DER SubjectPublicKeyInfo of a PEM or DER public key."""
    if public_key.lstrip().startswith(b"-----"):
        key = serialization.load_pem_public_key(public_key)
    else:
        key = serialization.load_der_public_key(public_key)
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _fingerprint(spki_der: bytes) -> str:
    return hashlib.sha256(spki_der).hexdigest()


def _attachments(reader: PdfFileReader) -> dict[str, bytes]:
    """The document-level embedded files (flat name tree), by name."""
    files: dict[str, bytes] = {}
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return files
    names = tree.get("/Names", generic.ArrayObject())
    for i in range(0, len(names) - 1, 2):
        spec = names[i + 1].get_object()
        ef = spec["/EF"]
        stream = ef.get("/UF") or ef["/F"]
        files[str(names[i])] = stream.get_object().data
    return files


def _contents_canonical(pdf: bytes, byte_range: Sequence[int], cms_bytes: bytes) -> Message | None:
    """Why the signature's /Contents gap is not exactly what a signer writes (None: it is).

    The byte range leaves out the hex-encoded CMS; pyHanko ignores bytes after the DER object
    and hex case, so check both here: every byte of the file must be accounted for.
    """
    _start1, len1, start2, _len2 = (int(v) for v in byte_range)
    gap = pdf[len1:start2]
    info = asn1_parser.parse(cms_bytes, strict=False)
    der_len = len(info[3]) + len(info[4]) + len(info[5])
    if any(cms_bytes[der_len:]):
        return Message("the signature container's padding was altered")
    hex_digits = cms_bytes.hex().encode("ascii")
    if gap not in (b"<" + hex_digits.upper() + b">", b"<" + hex_digits + b">"):
        return Message("the signature container's encoding was altered")
    return None


_ESS_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"


def _cms_problem(signed_data: cms.SignedData) -> Message | None:
    """Why the parts of the CMS container that its signature does not cover are not as signed.

    The CMS signature covers only the signed attributes. Versions, algorithm lists and the
    embedded certificates are outside it, so they are pinned here: versions per RFC 5652,
    digest algorithms equal to the signer's, the signer certificate bound by its hash in the
    signed ESS signing-certificate-v2 attribute, every other certificate a verified issuer.
    """
    infos = signed_data["signer_infos"]
    if len(infos) != 1:
        return Message("the signature container must hold exactly one signer")
    info = infos[0]
    by_ski = info["sid"].name == "subject_key_identifier"
    if info["version"].native != ("v3" if by_ski else "v1"):
        return Message("the signer information's version was altered")
    if signed_data["version"].native != ("v3" if by_ski else "v1"):
        return Message("the signature container's version was altered")
    digest = info["digest_algorithm"]
    canonical = [
        algos.DigestAlgorithm({"algorithm": digest["algorithm"].native}).dump(),
        algos.DigestAlgorithm({"algorithm": digest["algorithm"].native, "parameters": None}).dump(),
        bytes.fromhex("300d06096086480165030402010500"),  # sha256 with explicit NULL
    ]
    if digest.dump() not in canonical or [a.dump() for a in signed_data["digest_algorithms"]] != [
        digest.dump()
    ]:
        return Message("the signature container's digest algorithms were altered")
    encap = signed_data["encap_content_info"]
    if encap["content_type"].native != "data" or encap["content"].native is not None:
        return Message("the signature container's content type was altered")
    if info["unsigned_attrs"].native is not None or signed_data["crls"].native is not None:
        return Message("unsigned data was added to the signature container")
    certs = [c.chosen for c in signed_data["certificates"]]
    sid = info["sid"].chosen
    if by_ski:
        signer = [c for c in certs if c.key_identifier == sid.native]
    else:
        signer = [
            c
            for c in certs
            if c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native
        ]
    if not signer or len({c.dump() for c in signer}) != 1:
        return Message("the signer certificate is missing from the signature container")
    ess = [a for a in info["signed_attrs"] if a["type"].dotted == _ESS_SIGNING_CERTIFICATE_V2]
    if len(ess) != 1:
        return Message("the signature does not bind its signer certificate (no ESS attribute)")
    value = ess[0]["values"][0]
    if not isinstance(value, tsp.SigningCertificateV2):
        value = tsp.SigningCertificateV2.load(value.dump())
    cert_id = value["certs"][0]
    algo = cert_id["hash_algorithm"]["algorithm"].native
    if hashlib.new(algo, signer[0].dump()).digest() != cert_id["cert_hash"].native:
        return Message("the signer certificate was altered after signing")
    # Any other certificate must be an issuer on the signer's chain, with a valid signature.
    chain = [x509.load_der_x509_certificate(signer[0].dump())]
    others = [
        x509.load_der_x509_certificate(c.dump()) for c in certs if c.dump() != signer[0].dump()
    ]
    while others:
        issuer = next((c for c in others if c.subject == chain[-1].issuer), None)
        if issuer is None:
            return Message("the signature container holds a certificate outside the signer's chain")
        try:
            chain[-1].verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return Message("a certificate in the signature container was altered")
        others.remove(issuer)
        chain.append(issuer)
    if chain[-1].issuer == chain[-1].subject and len(chain) > 1:
        try:
            chain[-1].verify_directly_issued_by(chain[-1])
        except (ValueError, TypeError, InvalidSignature):
            return Message("the root certificate in the signature container was altered")
    return None


def _joined(problems: Sequence[Message]) -> Message:
    """Several problems as one detail, "a; b; c", each rendered in the reader's language."""
    joined = problems[-1]
    for problem in reversed(problems[:-1]):
        joined = Message("{problem}; {more}", problem=problem, more=joined)
    return joined


class _Verifier:
    def __init__(self, pdf: bytes, expected_public_keys: Sequence[bytes] | None) -> None:
        self.pdf = pdf
        self.expected = expected_public_keys
        self.checks: list[Check] = []
        self.record: dict[str, Any] | None = None
        self.certificate_id: str | None = None
        self.signer_spki: bytes | None = None
        self.fingerprint: str | None = None
        self.files: dict[str, bytes] = {}
        self.payload: QrPayload | None = None
        self.record_digest: str | None = None

    def add(self, name: str, ok: bool, detail: Message) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def run(self) -> None:
        try:
            reader = PdfFileReader(io.BytesIO(self.pdf), strict=False)
            _ = reader.root
            signatures = reader.embedded_signatures
        except Exception as exc:
            self.add(
                "pdf_readable", False, Message("the file is not a readable PDF ({error})", error=str(exc))
            )
            return
        self.add("pdf_readable", True, Message("the file is a readable PDF"))
        self._signature(signatures)
        try:
            self.files = _attachments(reader)
        except Exception as exc:
            self.add(
                "embedded_record",
                False,
                Message("the attached files cannot be read ({error})", error=str(exc)),
            )
            return
        self._record()
        self._qr()

    def _signature(self, signatures: Sequence[Any]) -> None:
        if len(signatures) != 1:
            self.add(
                "pdf_signature",
                False,
                Message("expected exactly one PDF signature, found {count}", count=len(signatures)),
            )
            return
        sig = signatures[0]
        try:
            cert_der = sig.signer_cert.dump()
            cert = x509.load_der_x509_certificate(cert_der)
            self.signer_spki = cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            self.fingerprint = _fingerprint(self.signer_spki)
            context = ValidationContext(trust_roots=[sig.signer_cert], allow_fetching=False)
            status = validate_pdf_signature(sig, signer_validation_context=context, skip_diff=True)
            gap_problem = _contents_canonical(
                self.pdf, sig.byte_range, sig.pkcs7_content
            ) or _cms_problem(sig.signed_data)
        except Exception as exc:
            self.add(
                "pdf_signature",
                False,
                Message("the PDF signature cannot be validated ({error})", error=str(exc)),
            )
            return
        subject = cert.subject.rfc4514_string()
        if not (status.intact and status.valid):
            self.add(
                "pdf_signature",
                False,
                Message(
                    "the PDF signature does not match the document: the file was changed after signing"
                )
                if not status.intact
                else Message("the PDF signature is cryptographically invalid"),
            )
        elif gap_problem:
            self.add("pdf_signature", False, gap_problem)
        else:
            self.add(
                "pdf_signature",
                True,
                Message("PAdES signature intact and valid, signed by {subject}", subject=subject),
            )
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            self.add("signature_coverage", True, Message("the signature covers the entire file"))
        else:
            self.add(
                "signature_coverage",
                False,
                Message(
                    "the file was modified after signing (content added outside the signature; "
                    "coverage {coverage})",
                    coverage=status.coverage.name if status.coverage else Message("unknown"),
                ),
            )
        if self.expected is None:
            self.add(
                "signer_key",
                True,
                Message(
                    "not compared with a known key; signer key fingerprint SHA-256 {fingerprint}",
                    fingerprint=self.fingerprint,
                ),
            )
            return
        try:
            known = {_spki_der(k) for k in self.expected}
        except Exception as exc:
            self.add(
                "signer_key",
                False,
                Message("an expected public key cannot be read ({error})", error=str(exc)),
            )
            return
        if self.signer_spki in known:
            self.add(
                "signer_key",
                True,
                Message(
                    "signed with a known organisation key ({fingerprint}…)",
                    fingerprint=self.fingerprint[:16],
                ),
            )
        else:
            self.add(
                "signer_key",
                False,
                Message(
                    "signed with an unknown key (fingerprint {fingerprint}…), not the organisation's",
                    fingerprint=self.fingerprint[:16],
                ),
            )

    def _record(self) -> None:
        data = self.files.get(RECORD_ATTACHMENT)
        if data is None:
            self.add("embedded_record", False, Message("no {file} attached", file=RECORD_ATTACHMENT))
            return
        try:
            record = json.loads(data.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            canonical = canonical_bytes(record)
        except Exception as exc:
            self.add(
                "embedded_record",
                False,
                Message("{file} is not valid JSON ({error})", file=RECORD_ATTACHMENT, error=str(exc)),
            )
            return
        self.record = record
        self.certificate_id = (
            str(record.get("certificate_id")) if record.get("certificate_id") else None
        )
        self.record_digest = sha256_hex(data)
        if canonical != data:
            self.add(
                "embedded_record",
                False,
                Message("{file} is not RFC 8785 canonical JSON", file=RECORD_ATTACHMENT),
            )
            return
        self.add(
            "embedded_record",
            True,
            Message("record attached, SHA-256 {digest}", digest=self.record_digest),
        )
        problems = consistency_problems(record)
        self.add(
            "record_consistency",
            not problems,
            _joined(problems) if problems else Message("purposes and decisions are consistent"),
        )

    def _qr(self) -> None:
        data = self.files.get(QR_ATTACHMENT)
        if data is None:
            self.add("qr_payload", False, Message("no {file} attached", file=QR_ATTACHMENT))
            return
        try:
            payload = parse_qr_payload(data.decode("ascii"))
        except (ValueError, UnicodeDecodeError) as exc:
            self.add(
                "qr_payload", False, Message("the QR payload is malformed ({error})", error=str(exc))
            )
            return
        self.payload = payload
        if self.certificate_id is None:
            self.certificate_id = payload.certificate_id
        if self.record_digest is None:
            self.add("qr_payload", False, Message("no record to compare the QR payload with"))
        elif payload.digest_hex != self.record_digest:
            self.add(
                "qr_payload",
                False,
                Message(
                    "the attached record differs from the one the QR code signs (digest mismatch)"
                ),
            )
        elif self.record and payload.certificate_id != self.record.get("certificate_id"):
            self.add("qr_payload", False, Message("the QR code names another certificate id"))
        else:
            self.add(
                "qr_payload",
                True,
                Message("the QR payload names this certificate and record digest"),
            )
        if self.signer_spki is None:
            self.add(
                "qr_signature",
                False,
                Message("no signer certificate to check the QR signature with"),
            )
            return
        public_pem = serialization.load_der_public_key(self.signer_spki).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if payload.verify(public_pem):
            self.add(
                "qr_signature", True, Message("the QR signature is valid under the signer's key")
            )
        else:
            self.add(
                "qr_signature", False, Message("the QR signature is not valid under the signer's key")
            )


def verify_certificate_pdf(
    pdf: bytes, *, expected_public_keys: Sequence[bytes] | None = None
) -> VerificationReport:
    """Check a certificate PDF; ``expected_public_keys`` are PEM or DER SubjectPublicKeyInfo."""
    verifier = _Verifier(pdf, expected_public_keys)
    try:
        verifier.run()
    except Exception as exc:
        verifier.add("verification", False, Message("verification stopped: {error}", error=str(exc)))
    ok = bool(verifier.checks) and all(c.ok for c in verifier.checks)
    required = {
        "pdf_signature",
        "signature_coverage",
        "embedded_record",
        "qr_payload",
        "qr_signature",
    }
    ok = ok and required <= {c.name for c in verifier.checks}
    cid = verifier.certificate_id or Message("(unknown id)")
    verdict: Message
    if ok:
        key = (verifier.fingerprint or "")[:16]
        if verifier.record and isinstance(verifier.record.get("controller"), Mapping):
            verdict = Message(
                "VALID: certificate {certificate_id} is issued by {organisation}, signed by key "
                "{fingerprint}… and unchanged since signing.",
                certificate_id=cid,
                organisation=str(verifier.record["controller"].get("name")),
                fingerprint=key,
            )
        else:
            verdict = Message(
                "VALID: certificate {certificate_id} is signed by key {fingerprint}… and unchanged "
                "since signing.",
                certificate_id=cid,
                fingerprint=key,
            )
    else:
        first = next((c for c in verifier.checks if not c.ok), None)
        reason = first.detail if first else Message("a required check did not run")
        verdict = Message(
            "NOT VALID: certificate {certificate_id}: {reason}.", certificate_id=cid, reason=reason
        )
    return VerificationReport(
        ok=ok,
        verdict=verdict,
        checks=verifier.checks,
        record=verifier.record,
        certificate_id=verifier.certificate_id,
        signer_fingerprint=verifier.fingerprint,
    )
