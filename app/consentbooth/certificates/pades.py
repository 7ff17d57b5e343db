"""The PDF signatures of a certificate: integrity, later updates, time-stamps and trust.

pyHanko validates the signature (with its difference analysis of later revisions, under
:data:`~consentbooth.certificates.integrity.STRICT_DIFF_POLICY`) and decides whether the
signer chains to a trust root; :func:`~consentbooth.crypto.pki.chain_to_root` names the root
(or, untrusted, the top of the chain the signature carries) and explains a refusal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from consentbooth.certificates.checks import Check, TimestampInfo
from consentbooth.certificates.integrity import (
    STRICT_DIFF_POLICY,
    cms_problem,
    contents_canonical,
    metadata_changes,
)
from consentbooth.core.i18n import Message, nmessage
from consentbooth.crypto.pki import ChainResult, certificate_role, chain_to_root, format_fingerprint


@dataclass
class SignatureFindings:
    checks: list[Check] = field(default_factory=list)
    signer_spki: bytes | None = None  # DER SubjectPublicKeyInfo
    signer_cert: x509.Certificate | None = None
    role: str | None = None  # "device" / "pdf" / "hub" for a ConsentBooth certificate
    root_fingerprint: str | None = None  # the trusted root, or the top of the carried chain
    root_is_self_signed: bool = False  # the carried chain ends at a root (so it can be compared)
    established: bool = False  # the signer chains to a trust root or is a known key
    timestamp: TimestampInfo | None = None

    def add(self, name: str, ok: bool, detail: Message) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def spki_der(public_key: bytes) -> bytes:
    """DER SubjectPublicKeyInfo of a PEM or DER public key."""
    if public_key.lstrip().startswith(b"-----"):
        key = serialization.load_pem_public_key(public_key)
    else:
        key = serialization.load_der_public_key(public_key)
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_fingerprint(spki: bytes) -> str:
    """SHA-256 (hex) of a DER SubjectPublicKeyInfo: the key's fingerprint."""
    return hashlib.sha256(spki).hexdigest()


def _pem(cert: asn1_x509.Certificate) -> bytes:
    return x509.load_der_x509_certificate(cert.dump()).public_bytes(serialization.Encoding.PEM)


def _context(roots: Sequence[asn1_x509.Certificate], others: Sequence[Any],
             moment: datetime | None = None) -> ValidationContext:
    # An explicit (possibly empty) list: never the operating system's trust store.
    return ValidationContext(
        trust_roots=list(roots),
        other_certs=list(others),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


class _SignatureCheck:
    def __init__(
        self,
        pdf: bytes,
        reader: PdfFileReader,
        *,
        roots: Sequence[x509.Certificate] | None,
        tsa_roots: Sequence[x509.Certificate] | None,
        expected_spki: set[bytes] | None,
    ) -> None:
        self.pdf = pdf
        self.reader = reader
        self.roots = list(roots or [])
        self.tsa_roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                          for c in tsa_roots or []]
        self.expected = expected_spki
        self.found = SignatureFindings()

    def run(self) -> SignatureFindings:
        found = self.found
        signatures = self.reader.embedded_signatures
        regular = [s for s in signatures if s.sig_object_type == "/Sig"]
        stamps = [s for s in signatures if s.sig_object_type == "/DocTimeStamp"]
        if len(regular) != 1 or len(regular) + len(stamps) != len(signatures):
            found.add(
                "pdf_signature",
                False,
                Message("expected exactly one PDF signature, found {count}", count=len(signatures) - len(stamps)),
            )
            return found
        if signatures[0] is not regular[0]:
            found.add(
                "pdf_signature",
                False,
                Message("a document time-stamp precedes the organisation's signature"),
            )
            return found
        sig = regular[0]
        status = self._main(sig)
        if status is None:
            return found
        for stamp in stamps:
            self._document_timestamp(stamp)
        self._trust(sig, status)
        return found

    # -- the organisation's signature --------------------------------------------------------

    def _validate(self, sig: Any, moment: datetime | None) -> Any:
        others = [c for c in sig.other_embedded_certs]
        anchors = (
            [asn1_x509.Certificate.load(r.public_bytes(serialization.Encoding.DER)) for r in self.roots]
            if self.roots
            else [sig.signer_cert]  # integrity only: the signer is not judged here
        )
        return validate_pdf_signature(
            sig,
            signer_validation_context=_context(anchors, others, moment),
            ts_validation_context=_context(self.tsa_roots, []),
            diff_policy=STRICT_DIFF_POLICY,
            skip_diff=False,
        )

    def _main(self, sig: Any) -> Any:
        found = self.found
        try:
            cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
            found.signer_cert = cert
            found.signer_spki = cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            found.role = certificate_role(cert)
            status = self._validate(sig, None)
            gap_problem = contents_canonical(
                self.pdf, sig.byte_range, sig.pkcs7_content
            ) or cms_problem(sig.signed_data)
        except Exception as exc:
            found.add(
                "pdf_signature",
                False,
                Message("the PDF signature cannot be validated ({error})", error=str(exc)),
            )
            return None
        subject = cert.subject.rfc4514_string()
        if not (status.intact and status.valid):
            found.add(
                "pdf_signature",
                False,
                Message(
                    "the PDF signature does not match the document: the file was changed after signing"
                )
                if not status.intact
                else Message("the PDF signature is cryptographically invalid"),
            )
        elif gap_problem:
            found.add("pdf_signature", False, gap_problem)
        else:
            found.add(
                "pdf_signature",
                True,
                Message("PAdES signature intact and valid, signed by {subject}", subject=subject),
            )
        self._coverage(sig, status)
        self._signature_timestamp(status)
        return status

    def _coverage(self, sig: Any, status: Any) -> None:
        found = self.found
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            found.add("signature_coverage", True, Message("the signature covers the entire file"))
            return
        diff = status.diff_result
        later = self.reader.xrefs.total_revisions - 1 - sig.signed_revision
        lta_only = (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and isinstance(diff, DiffResult)
            and diff.modification_level <= ModificationLevel.LTA_UPDATES
            and status.docmdp_ok
        )
        changed = metadata_changes(self.reader, sig.signed_revision) if lta_only else []
        if lta_only and not changed:
            found.add(
                "signature_coverage",
                True,
                nmessage(
                    "the signature covers the signed revision; the {count} later update only "
                    "adds long-term validation data or a time-stamp",
                    "the signature covers the signed revision; the {count} later updates only "
                    "add long-term validation data or time-stamps",
                    later,
                    count=later,
                ),
            )
        elif changed:
            found.add(
                "signature_coverage",
                False,
                Message(
                    "the file was modified after signing (document information changed: {keys})",
                    keys=", ".join(changed),
                ),
            )
        else:
            found.add(
                "signature_coverage",
                False,
                Message(
                    "the file was modified after signing (content added outside the signature; "
                    "coverage {coverage})",
                    coverage=status.coverage.name if status.coverage else Message("unknown"),
                ),
            )

    def _signature_timestamp(self, status: Any) -> None:
        ts = status.timestamp_validity
        if ts is None:
            return
        found = self.found
        valid = bool(ts.intact and ts.valid)
        trusted = valid and bool(self.tsa_roots) and ts.trusted
        found.timestamp = TimestampInfo(time=ts.timestamp, valid=valid, trusted=trusted)
        when = ts.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC")
        if not valid:
            found.add(
                "timestamp",
                False,
                Message("the signature's time-stamp does not match the signature"),
            )
        elif trusted:
            found.add(
                "timestamp",
                True,
                Message("time-stamped at {time} by a trusted time-stamping authority", time=when),
            )
        else:
            found.add(
                "timestamp",
                True,
                Message(
                    "time-stamped at {time}; the time-stamping authority is not established here",
                    time=when,
                ),
            )

    # -- document time-stamps (PAdES B-LTA) ----------------------------------------------------

    def _document_timestamp(self, stamp: Any) -> None:
        found = self.found
        try:
            status = validate_pdf_timestamp(
                stamp,
                validation_context=_context(self.tsa_roots, []),
                diff_policy=STRICT_DIFF_POLICY,
                skip_diff=False,
            )
        except Exception as exc:
            found.add(
                "document_timestamp",
                False,
                Message("a document time-stamp cannot be validated ({error})", error=str(exc)),
            )
            return
        valid = bool(status.intact and status.valid)
        ok_after = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            isinstance(status.diff_result, DiffResult)
            and status.diff_result.modification_level <= ModificationLevel.LTA_UPDATES
        )
        when = status.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC")
        if found.timestamp is None and valid:
            found.timestamp = TimestampInfo(
                time=status.timestamp,
                valid=True,
                trusted=bool(self.tsa_roots) and status.trusted,
                kind="document",
            )
        if valid and ok_after:
            found.add(
                "document_timestamp",
                True,
                Message("a document time-stamp of {time} covers the file", time=when),
            )
        else:
            found.add(
                "document_timestamp",
                False,
                Message("a document time-stamp does not match the document"),
            )

    # -- who signed ---------------------------------------------------------------------------

    def _chain(self, sig: Any, roots: Sequence[x509.Certificate], at: datetime | None) -> ChainResult:
        pool = b"".join(_pem(c) for c in sig.other_embedded_certs)
        return chain_to_root(_pem(sig.signer_cert), pool, roots, at=at)

    def _trust(self, sig: Any, status: Any) -> None:
        found = self.found
        top = self._chain(sig, [], None)
        found.root_fingerprint = top.root_fingerprint
        found.root_is_self_signed = bool(top.path) and top.path[-1].issuer == top.path[-1].subject
        checks: list[Check] = []
        if self.roots:
            trusted = bool(status.trusted)
            ts = found.timestamp
            if not trusted and ts is not None and ts.trusted and ts.kind == "signature":
                # the signer's certificate may have expired since: judge it at the trusted time
                trusted = bool(self._validate(sig, ts.time).trusted)
            chain = self._chain(sig, self.roots, ts.time if ts and ts.trusted else None)
            if trusted:
                found.root_fingerprint = chain.root_fingerprint
                detail = Message(
                    "the signer's certificate chains to the trusted root {fingerprint}",
                    fingerprint=format_fingerprint(chain.root_fingerprint or ""),
                )
            elif chain.trusted:  # the path exists, but not for signing documents
                detail = Message("the signer's certificate is not accepted for signing documents")
            else:
                detail = chain.reason
            checks.append(Check("signer_trust", trusted, detail))
        if self.expected is not None:
            fp = key_fingerprint(found.signer_spki or b"")
            known = found.signer_spki in self.expected
            checks.append(
                Check(
                    "signer_key",
                    known,
                    Message("signed with a known organisation key ({fingerprint}…)", fingerprint=fp[:16])
                    if known
                    else Message(
                        "signed with an unknown key (fingerprint {fingerprint}…), not the organisation's",
                        fingerprint=fp[:16],
                    ),
                )
            )
        if not checks:
            fp = key_fingerprint(found.signer_spki or b"")
            checks.append(
                Check(
                    "signer_key",
                    True,
                    Message(
                        "not compared with a known key; signer key fingerprint SHA-256 {fingerprint}",
                        fingerprint=fp,
                    ),
                )
            )
            found.checks += checks
            return
        found.established = any(c.ok for c in checks)
        # One anchor that establishes the signer is enough: the other one's miss is no failure.
        found.checks += [c for c in checks if c.ok] if found.established else checks


def check_signatures(
    pdf: bytes,
    reader: PdfFileReader,
    *,
    roots: Sequence[x509.Certificate] | None,
    tsa_roots: Sequence[x509.Certificate] | None,
    expected_spki: set[bytes] | None,
) -> SignatureFindings:
    """Check the document's signatures; the findings carry one check per finding."""
    return _SignatureCheck(
        pdf, reader, roots=roots, tsa_roots=tsa_roots, expected_spki=expected_spki
    ).run()
