"""Trusted time (RFC 3161) and long-term validation, against a real TSA started in the test.

The TSA is OpenSSL's ``ts -reply`` behind a local HTTP server (tests/support/tsa.py). What a
certificate becomes on the way (B-T, then B-LT with the DSS, ``pyhanko sign ltvfix``, a document
time-stamp) must still verify; any other change after signing must not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore

from consentbooth.certificates import render_certificate, verify_certificate_pdf
from consentbooth.certificates.checks import Outcome
from consentbooth.certificates.qr import make_qr_payload
from consentbooth.certificates.record import record_digest_hex
from consentbooth.certificates.signing import add_long_term_validation, sign_pdf
from consentbooth.certificates.timestamps import (
    TimestampError,
    timestamp_digest,
    verify_timestamp,
)
from consentbooth.core.errors import UserFacingError
from consentbooth.crypto import pki
from consentbooth.crypto.keys import SigningIdentity
from tests.support.tsa import LocalTSA, closed_url

PYHANKO = str(Path(sys.executable).parent / "pyhanko")
FIELD = "ConsentBoothSignature"


def _failed(report) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def _one_sentence(error: UserFacingError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text and text.endswith("."), text
    assert re.search("[\u4e00-\u9fff]", error.localized("zh-CN")), text
    return text


def _pyhanko(*args: str) -> str:
    done = subprocess.run(
        [PYHANKO, *args], capture_output=True, text=True, timeout=180, check=False
    )
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, root: SigningIdentity, tsa: LocalTSA) -> Path:
    d = tmp_path_factory.mktemp("ltv")
    (d / "root.pem").write_bytes(root.cert_pem)
    (d / "tsa-root.pem").write_bytes(tsa.root_pem)
    return d


@pytest.fixture(scope="module")
def bt_pdf(
    consent_record: dict, signature_png: bytes, identity: SigningIdentity, tsa: LocalTSA
) -> bytes:
    payload = make_qr_payload(
        certificate_id=consent_record["certificate_id"],
        digest_hex=record_digest_hex(consent_record),
        identity=identity,
    )
    unsigned = render_certificate(
        record=consent_record, signature_png=signature_png, qr_payload=payload
    )
    return sign_pdf(unsigned, identity=identity, timestamp_url=tsa.url, timestamp_timeout=20)


@pytest.fixture(scope="module")
def lt_pdf(bt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA) -> bytes:
    return add_long_term_validation(
        bt_pdf,
        trust_roots=[root.cert_pem],
        tsa_roots=[tsa.root_pem],
        crls=[pki.issue_crl(root), tsa.crl_der],
    )


def _verify(pdf: bytes, root: SigningIdentity, tsa: LocalTSA):
    return verify_certificate_pdf(pdf, trust_roots=[root.cert_pem], tsa_roots=[tsa.root_pem])


# -- the token client -------------------------------------------------------------------------


def test_a_token_from_the_local_tsa_verifies_here_and_with_openssl(tsa: LocalTSA) -> None:
    digest = hashlib.sha256(b"ledger chain head 42").digest()
    token = timestamp_digest(tsa.url, digest, timeout=20)
    when = verify_timestamp(token, digest, [tsa.root_pem])
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=2)
    assert "Verification: OK" in tsa.verify_with_openssl(token, digest)
    assert verify_timestamp(token, digest, None) == when  # integrity only


def test_token_refusals_are_one_sentence_each(tsa: LocalTSA, root: SigningIdentity) -> None:
    digest = hashlib.sha256(b"checkpoint").digest()
    token = timestamp_digest(tsa.url, digest, timeout=20)
    cases = [
        (token, hashlib.sha256(b"other").digest(), None, "made for other content"),
        (token, digest, [root.cert_pem], "do not trust"),
        (b"\x30\x03\x02\x01\x00", digest, None, "not a valid time-stamp token"),
        (b"garbage", digest, None, "not a valid time-stamp token"),
    ]
    for data, checked, roots, expected in cases:
        with pytest.raises(TimestampError) as caught:
            verify_timestamp(data, checked, roots)
        assert expected in _one_sentence(caught.value)
    assert "Verification: OK" not in tsa.verify_with_openssl(token, hashlib.sha256(b"x").digest())


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("garbage", "not a valid time-stamp"),
        ("error", "answered with an error (HTTP 500)"),
        ("html", "did not answer with a time-stamp"),
        ("down", "cannot be reached"),
    ],
)
def test_a_failing_tsa_is_one_sentence(
    local_tsa: LocalTSA,
    mode: str,
    expected: str,
    consent_record: dict,
    signature_png: bytes,
    identity: SigningIdentity,
) -> None:
    url = closed_url() if mode == "down" else local_tsa.url
    local_tsa.mode = mode
    with pytest.raises(TimestampError) as caught:
        timestamp_digest(url, hashlib.sha256(b"x").digest(), timeout=10)
    assert expected in _one_sentence(caught.value)
    # signing a certificate with that TSA fails the same way: no half-stamped file
    payload = make_qr_payload(
        certificate_id=consent_record["certificate_id"],
        digest_hex=record_digest_hex(consent_record),
        identity=identity,
    )
    unsigned = render_certificate(
        record=consent_record, signature_png=signature_png, qr_payload=payload
    )
    with pytest.raises(UserFacingError) as caught:
        sign_pdf(unsigned, identity=identity, timestamp_url=url, timestamp_timeout=10)
    assert expected in _one_sentence(caught.value)


def test_a_tsa_address_must_be_http() -> None:
    with pytest.raises(TimestampError) as caught:
        timestamp_digest("ftp://tsa.example/", hashlib.sha256(b"x").digest())
    assert "must start with http" in _one_sentence(caught.value)


# -- PAdES B-T, B-LT, ltvfix, document time-stamps ---------------------------------------------


def test_b_t_certificate_is_valid_with_a_trusted_time(
    bt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA, files: Path
) -> None:
    report = _verify(bt_pdf, root, tsa)
    assert report.outcome is Outcome.VALID, report.checks
    assert report.timestamp is not None and report.timestamp.valid and report.timestamp.trusted
    assert abs(dt.datetime.now(dt.UTC) - report.timestamp.time) < dt.timedelta(minutes=5)
    assert "trusted time-stamping authority" in next(
        c.detail for c in report.checks if c.name == "timestamp"
    )
    # without the TSA's root the time is reported, not vouched for
    untimed = verify_certificate_pdf(bt_pdf, trust_roots=[root.cert_pem])
    assert untimed.outcome is Outcome.VALID and not untimed.timestamp.trusted
    (files / "bt.pdf").write_bytes(bt_pdf)
    out = _pyhanko(
        "sign", "validate", "--trust", str(files / "root.pem"), "--trust",
        str(files / "tsa-root.pem"), "--trust-replace", "--pretty-print", str(files / "bt.pdf"),
    )
    assert "The signature is judged VALID" in out, out
    assert "The TSA certificate is trusted" in out, out


def test_b_t_certificate_is_trusted_by_pdfsig(bt_pdf: bytes, files: Path, root: SigningIdentity) -> None:
    if shutil.which("certutil") is None or shutil.which("pdfsig") is None:
        pytest.skip("certutil (libnss3-tools) and pdfsig (poppler-utils) are needed")
    db = files / "nss"
    db.mkdir(exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "org", "-t", "CT,C,C", "-i", str(files / "root.pem")],
        check=True,
    )
    (files / "bt-sig.pdf").write_bytes(bt_pdf)
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{db}", str(files / "bt-sig.pdf")],
        capture_output=True, text=True, timeout=60,
    )
    text = out.stdout + out.stderr
    assert "Signature is Valid" in text and "Certificate is Trusted" in text, text


def test_b_lt_adds_a_dss_and_stays_valid(
    lt_pdf: bytes, bt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA, files: Path
) -> None:
    assert lt_pdf.startswith(bt_pdf)  # an incremental update: the signed bytes are untouched
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(lt_pdf)))
    assert len(dss.certs) >= 4  # signer, root, TSA, TSA root
    assert len(dss.crls) == 2  # the organisation root's and the TSA root's
    report = _verify(lt_pdf, root, tsa)
    assert report.outcome is Outcome.VALID, report.checks
    coverage = next(c for c in report.checks if c.name == "signature_coverage")
    assert "long-term validation data" in coverage.detail
    (files / "lt.pdf").write_bytes(lt_pdf)
    out = _pyhanko(
        "sign", "adesverify", "--trust", str(files / "root.pem"), "--trust",
        str(files / "tsa-root.pem"), "--trust-replace", "--pretty-print", str(files / "lt.pdf"),
    )
    assert "The signature is judged VALID" in out, out


def test_after_pyhanko_ltvfix_it_still_verifies(
    bt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA, files: Path
) -> None:
    path = files / "ltvfix.pdf"
    path.write_bytes(bt_pdf)
    out = _pyhanko(
        "sign", "ltvfix", "--field", FIELD, "--trust", str(files / "root.pem"), "--trust",
        str(files / "tsa-root.pem"), "--trust-replace", str(path),
    )
    fixed = path.read_bytes()
    assert len(fixed) > len(bt_pdf) and fixed.startswith(bt_pdf), out
    report = _verify(fixed, root, tsa)
    assert report.outcome is Outcome.VALID, report.checks


def test_a_document_time_stamp_is_accepted(
    lt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA, files: Path
) -> None:
    (files / "lt-in.pdf").write_bytes(lt_pdf)
    out = _pyhanko(
        "sign", "timestamp", "--timestamp-url", tsa.url, "--trust", str(files / "tsa-root.pem"),
        "--trust-replace", str(files / "lt-in.pdf"), str(files / "lta.pdf"),
    )
    lta = (files / "lta.pdf").read_bytes()
    assert lta.startswith(lt_pdf), out
    report = _verify(lta, root, tsa)
    assert report.outcome is Outcome.VALID, report.checks
    assert any(c.name == "document_timestamp" and c.ok for c in report.checks)


def _incremental(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_visible_name_changed_after_ltv_is_invalid(
    lt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA
) -> None:
    """An incremental update that paints another name over the attendee's: not a PAdES update."""

    def repaint(writer: IncrementalPdfFileWriter) -> None:
        content = b"q 1 1 1 rg 150 640 160 16 re f Q BT /F1 11 Tf 152 644 Td (Li Qiang) Tj ET"
        stream = writer.add_object(generic.StreamObject(stream_data=content))
        font = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            }
        )
        resources = generic.DictionaryObject(
            {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
        )
        writer.add_stream_to_page(0, stream, resources=resources)

    tampered = _incremental(lt_pdf, repaint)
    report = _verify(tampered, root, tsa)
    assert report.outcome is Outcome.INVALID
    assert "modified after signing" in _failed(report)["signature_coverage"]
    assert report.verdict.startswith("NOT VALID")


@pytest.mark.parametrize("where", ["info", "xmp"])
def test_a_retitled_document_after_ltv_is_invalid(
    lt_pdf: bytes, root: SigningIdentity, tsa: LocalTSA, where: str
) -> None:
    """Readers show the title in their window: only the dates and producer may change."""

    def retitle(writer: IncrementalPdfFileWriter) -> None:
        if where == "info":
            info_ref = writer.trailer.raw_get("/Info")
            info = info_ref.get_object()
            info["/Title"] = generic.TextStringObject("同意证明 李强")
            writer.mark_update(info_ref)
            return
        old = writer.root["/Metadata"]
        xml = old.data.replace(
            b'rdf:about=""/>',
            b'rdf:about=""><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">'
            b"<rdf:Alt><rdf:li>Li Qiang</rdf:li></rdf:Alt></dc:title></rdf:Description>",
        )
        assert xml != old.data
        stream = generic.StreamObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/XML"),
            },
            stream_data=xml,
        )
        writer.root["/Metadata"] = writer.add_object(stream)
        writer.update_root()
        writer._update_meta = lambda: None  # keep pyHanko from rewriting the XMP

    tampered = _incremental(lt_pdf, retitle)
    report = _verify(tampered, root, tsa)
    assert report.outcome is Outcome.INVALID, report.checks
    detail = _failed(report)["signature_coverage"]
    assert "Title" in detail or "title" in detail, detail


def test_long_term_validation_refuses_what_it_cannot_vouch_for(
    bt_pdf: bytes, tsa: LocalTSA
) -> None:
    other = pki.create_root("Another Organisation Ltd.")
    with pytest.raises(UserFacingError) as caught:
        add_long_term_validation(bt_pdf, trust_roots=[other.cert_pem], tsa_roots=[tsa.root_pem])
    assert "does not chain" in _one_sentence(caught.value)
    with pytest.raises(UserFacingError) as caught:
        add_long_term_validation(b"%PDF-1.7 nothing", trust_roots=[other.cert_pem])
    _one_sentence(caught.value)


def test_issue_certificate_pdf_can_time_stamp(
    consent_record: dict,
    signature_png: bytes,
    identity: SigningIdentity,
    root: SigningIdentity,
    tsa: LocalTSA,
) -> None:
    from consentbooth.certificates import issue_certificate_pdf

    pdf = issue_certificate_pdf(
        record=consent_record, signature_png=signature_png, identity=identity, timestamp_url=tsa.url
    )
    report = _verify(pdf, root, tsa)
    assert report.outcome is Outcome.VALID and report.timestamp and report.timestamp.trusted
