"""Verify a certificate PDF: PAdES signature, who signed it, embedded record, QR payload.

Verification says what it knows, in three outcomes (:class:`Outcome`):

- ``VALID``: the signature is intact (and any later update only adds long-term validation data
  or time-stamps) and the signer chains to one of the trust roots given (or is one of the
  expected keys, as the vault knows them);
- ``UNTRUSTED``: intact, but no trust anchor was given: the signer is not established. The
  report carries the fingerprint of the root (or top certificate) of the signer's chain, for
  people to compare with the one the organisation publishes. Never ``VALID`` without an anchor;
- ``INVALID``: anything altered, malformed, or signed outside the trusted roots.

Every check is reported with a reason; a damaged or tampered file is a failed check, never an
exception. The verdict is one line for people; ``checks`` say what was found. Check names are
stable codes; details and the verdict are :class:`~consentbooth.core.i18n.Message` objects: the
English text as a string, rendered in the UI language with ``_()``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from consentbooth.certificates.checks import Check, Outcome, TimestampInfo
from consentbooth.certificates.pades import (
    SignatureFindings,
    check_signatures,
    key_fingerprint,
    spki_der,
)
from consentbooth.certificates.pdf import QR_ATTACHMENT, RECORD_ATTACHMENT
from consentbooth.certificates.qr import QrPayload, parse_qr_payload
from consentbooth.certificates.record import consistency_problems
from consentbooth.core.i18n import Message
from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.crypto.pki import format_fingerprint, load_trust_root

# A decoder of barcodes in an image (a PIL image of the rendered page): the texts it finds.
# Injected (zxing-cpp lives in the scanning adapter), so this package imports no decoder.
QrDecoder = Callable[[Any], list[str]]
PRINTED_QR_DPI = 150  # the page is rendered as a 150 dpi print would be
TRUST_CHECKS = frozenset({"signer_trust", "signer_key"})
REQUIRED = frozenset(
    {"pdf_signature", "signature_coverage", "embedded_record", "qr_payload", "qr_signature"}
)


@dataclass
class VerificationReport:
    ok: bool  # outcome is VALID
    verdict: str  # a Message, like Check.detail
    checks: list[Check] = field(default_factory=list)
    record: dict[str, Any] | None = None
    certificate_id: str | None = None
    signer_fingerprint: str | None = None  # SHA-256 of the signer's SubjectPublicKeyInfo (hex)
    outcome: Outcome = Outcome.INVALID
    root_fingerprint: str | None = None  # SHA-256 (hex) of the trusted root / the chain's top
    signer_role: str | None = None  # "pdf", "device", "hub" for a ConsentBooth certificate
    timestamp: TimestampInfo | None = None  # the signature's RFC 3161 time-stamp, if any

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


# Kept for callers of the first version: key fingerprints are SHA-256 of the DER SPKI.
_spki_der = spki_der
_fingerprint = key_fingerprint


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


def _joined(problems: Sequence[Message]) -> Message:
    """Several problems as one detail, "a; b; c", each rendered in the reader's language."""
    joined = problems[-1]
    for problem in reversed(problems[:-1]):
        joined = Message("{problem}; {more}", problem=problem, more=joined)
    return joined


class _Verifier:
    def __init__(
        self,
        pdf: bytes,
        *,
        expected_public_keys: Sequence[bytes] | None,
        roots: Sequence[x509.Certificate] | None,
        tsa_roots: Sequence[x509.Certificate] | None,
        decode_qr: QrDecoder | None,
    ) -> None:
        self.pdf = pdf
        self.expected = expected_public_keys
        self.roots = roots
        self.tsa_roots = tsa_roots
        self.decode_qr = decode_qr
        self.checks: list[Check] = []
        self.record: dict[str, Any] | None = None
        self.certificate_id: str | None = None
        self.signature = SignatureFindings()
        self.files: dict[str, bytes] = {}
        self.payload: QrPayload | None = None
        self.record_digest: str | None = None

    @property
    def signer_spki(self) -> bytes | None:
        return self.signature.signer_spki

    @property
    def fingerprint(self) -> str | None:
        spki = self.signature.signer_spki
        return key_fingerprint(spki) if spki is not None else None

    def add(self, name: str, ok: bool, detail: Message) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def run(self) -> None:
        try:
            reader = PdfFileReader(io.BytesIO(self.pdf), strict=False)
            _ = reader.root
            _ = reader.embedded_signatures
        except Exception as exc:
            self.add(
                "pdf_readable", False, Message("the file is not a readable PDF ({error})", error=str(exc))
            )
            return
        self.add("pdf_readable", True, Message("the file is a readable PDF"))
        self._signature(reader)
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
        self._root_claim()
        self._qr()
        if self.decode_qr is not None:
            self._printed_qr()

    def _signature(self, reader: PdfFileReader) -> None:
        expected = None
        if self.expected is not None:
            try:
                expected = {spki_der(k) for k in self.expected}
            except Exception as exc:
                self.add(
                    "signer_key",
                    False,
                    Message("an expected public key cannot be read ({error})", error=str(exc)),
                )
                expected = set()
        self.signature = check_signatures(
            self.pdf, reader, roots=self.roots, tsa_roots=self.tsa_roots, expected_spki=expected
        )
        self.checks += self.signature.checks

    def _root_claim(self) -> None:
        """The root fingerprint printed on the page must be the one the signature chains to."""
        trust = (self.record or {}).get("trust")
        claimed = trust.get("root_fingerprint") if isinstance(trust, Mapping) else None
        actual = self.signature.root_fingerprint
        if not claimed or not actual:
            return
        comparable = self.signature.established or self.signature.root_is_self_signed
        if claimed == actual:
            self.add(
                "root_fingerprint",
                True,
                Message("the root fingerprint printed on the certificate is the signer's root"),
            )
        elif comparable:
            self.add(
                "root_fingerprint",
                False,
                Message(
                    "the certificate names root {claimed} but is signed under root {actual}",
                    claimed=format_fingerprint(str(claimed)),
                    actual=format_fingerprint(actual),
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
            payload = parse_qr_payload(data.decode("utf-8"))
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
        public_pem = _public_pem(self.signer_spki)
        if payload.verify(public_pem):
            self.add(
                "qr_signature", True, Message("the QR signature is valid under the signer's key")
            )
        else:
            self.add(
                "qr_signature", False, Message("the QR signature is not valid under the signer's key")
            )

    def _printed_qr(self) -> None:
        """Decode the QR code printed on the page; it must be the signed payload attached."""
        assert self.decode_qr is not None
        try:
            from consentbooth.certificates.raster import render_page

            texts = list(self.decode_qr(render_page(self.pdf, dpi=PRINTED_QR_DPI)))
        except Exception as exc:
            self.add(
                "printed_qr",
                False,
                Message("the page cannot be rendered to read its QR code ({error})", error=str(exc)),
            )
            return
        payloads = []
        for text in texts:
            try:
                payloads.append(parse_qr_payload(text))
            except ValueError:
                continue
        if not payloads:
            self.add(
                "printed_qr",
                False,
                Message("no ConsentBooth QR code could be read on the page"),
            )
        elif self.payload is None or not all(p.same_as(self.payload) for p in payloads):
            self.add(
                "printed_qr",
                False,
                Message("the QR code printed on the page differs from the signed record's"),
            )
        else:
            self.add(
                "printed_qr",
                True,
                Message("the QR code printed on the page is the signed record's"),
            )


def _public_pem(spki: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_der_public_key(spki).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _load_roots(pems: Sequence[bytes] | None) -> list[x509.Certificate] | None:
    """Trust roots from PEM/DER; each must be a CA (``TrustRootError``, one sentence, if not)."""
    if not pems:
        return None
    return [load_trust_root(pem) for pem in pems]


def _verdict(verifier: _Verifier, outcome: Outcome) -> Message:
    cid = verifier.certificate_id or Message("(unknown id)")
    controller = (verifier.record or {}).get("controller")
    organisation = str(controller.get("name")) if isinstance(controller, Mapping) else None
    root = format_fingerprint(verifier.signature.root_fingerprint or "")
    if outcome is Outcome.INVALID:
        first = next((c for c in verifier.checks if not c.ok), None)
        reason = first.detail if first else Message("a required check did not run")
        return Message(
            "NOT VALID: certificate {certificate_id}: {reason}.", certificate_id=cid, reason=reason
        )
    if outcome is Outcome.UNTRUSTED:
        return Message(
            "INTACT, SIGNER NOT ESTABLISHED: certificate {certificate_id} is unchanged since "
            "signing, but nothing given here establishes who signed it. Its signer's root "
            "fingerprint is {root}: compare it with the one the organisation publishes, or "
            "verify with the organisation's root certificate.",
            certificate_id=cid,
            root=root or Message("unknown"),
        )
    if any(c.name == "signer_trust" and c.ok for c in verifier.checks):
        return Message(
            "VALID: certificate {certificate_id} is issued by {organisation}, signed under the "
            "trusted root {root} and unchanged since signing.",
            certificate_id=cid,
            organisation=organisation or Message("(unknown organisation)"),
            root=root,
        )
    key = (verifier.fingerprint or "")[:16]
    if organisation is not None:
        return Message(
            "VALID: certificate {certificate_id} is issued by {organisation}, signed by key "
            "{fingerprint}… and unchanged since signing.",
            certificate_id=cid,
            organisation=organisation,
            fingerprint=key,
        )
    return Message(
        "VALID: certificate {certificate_id} is signed by key {fingerprint}… and unchanged "
        "since signing.",
        certificate_id=cid,
        fingerprint=key,
    )


def verify_certificate_pdf(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes] | None = None,
    expected_public_keys: Sequence[bytes] | None = None,
    tsa_roots: Sequence[bytes] | None = None,
    decode_qr: QrDecoder | None = None,
) -> VerificationReport:
    """Check a certificate PDF and say what is known (:class:`Outcome`).

    ``trust_roots``: the organisation's root certificate(s), PEM or DER (each must be a CA:
    ``TrustRootError`` otherwise, before anything is checked). ``expected_public_keys``: PEM or
    DER SubjectPublicKeyInfo of keys known to be the organisation's (the vault's). Either one
    establishes the signer; with neither the best outcome is ``UNTRUSTED``. ``tsa_roots``: roots
    of the time-stamping authorities trusted for the time. ``decode_qr``: a decoder (image ->
    texts) to read the QR code printed on the page and compare it with the signed payload.
    """
    roots = _load_roots(trust_roots)
    tsa = _load_roots(tsa_roots)
    verifier = _Verifier(
        pdf,
        expected_public_keys=expected_public_keys,
        roots=roots,
        tsa_roots=tsa,
        decode_qr=decode_qr,
    )
    try:
        verifier.run()
    except Exception as exc:
        verifier.add("verification", False, Message("verification stopped: {error}", error=str(exc)))
    names = {c.name for c in verifier.checks}
    intact = (
        bool(verifier.checks)
        and all(c.ok for c in verifier.checks if c.name not in TRUST_CHECKS)
        and REQUIRED <= names
    )
    anchored = bool(roots) or expected_public_keys is not None
    if not intact:
        outcome = Outcome.INVALID
    elif not anchored:
        outcome = Outcome.UNTRUSTED
    elif verifier.signature.established and all(c.ok for c in verifier.checks):
        outcome = Outcome.VALID
    else:
        outcome = Outcome.INVALID
    return VerificationReport(
        ok=outcome is Outcome.VALID,
        verdict=_verdict(verifier, outcome),
        checks=verifier.checks,
        record=verifier.record,
        certificate_id=verifier.certificate_id,
        signer_fingerprint=verifier.fingerprint,
        outcome=outcome,
        root_fingerprint=verifier.signature.root_fingerprint,
        signer_role=verifier.signature.role,
        timestamp=verifier.signature.timestamp,
    )
