"""Verification: a genuine certificate passes; every kind of tampering fails with a reason."""

from __future__ import annotations

import io
import json

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from consentbooth.certificates import (
    issue_certificate_pdf,
    make_qr_payload,
    record_digest_hex,
    render_certificate,
    sign_pdf,
    verify_certificate_pdf,
)
from consentbooth.certificates.record import record_bytes
from consentbooth.crypto.keys import SigningIdentity


def _failed(report) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


def test_genuine_certificate_passes(
    consent_pdf: bytes, consent_record: dict, identity: SigningIdentity
) -> None:
    report = verify_certificate_pdf(consent_pdf, expected_public_keys=[identity.public_key_pem])
    assert report.ok, report.checks
    assert report.verdict.startswith("VALID")
    assert report.record == consent_record
    assert report.certificate_id == consent_record["certificate_id"]
    assert {c.name for c in report.checks} >= {
        "pdf_signature",
        "signature_coverage",
        "signer_key",
        "embedded_record",
        "record_consistency",
        "qr_payload",
        "qr_signature",
    }


def test_without_any_anchor_it_is_intact_but_not_valid(
    consent_pdf: bytes, identity: SigningIdentity, root: SigningIdentity
) -> None:
    """Issue 9: without a trust anchor the best is "intact, signer not established"."""
    from consentbooth.certificates.pades import key_fingerprint, spki_der
    from consentbooth.crypto.pki import fingerprint, format_fingerprint

    report = verify_certificate_pdf(consent_pdf)
    assert not report.ok and report.outcome == "untrusted" and not report.failed()
    assert report.verdict.startswith("INTACT, SIGNER NOT ESTABLISHED")
    assert report.root_fingerprint == fingerprint(root.cert_pem)  # for people to compare
    assert format_fingerprint(fingerprint(root.cert_pem)) in report.verdict
    assert report.signer_role == "pdf"
    key = key_fingerprint(spki_der(identity.public_key_pem))
    assert report.signer_fingerprint == key
    key_check = next(c for c in report.checks if c.name == "signer_key")
    assert key in key_check.detail


def test_certificate_signed_by_another_organisation_fails(
    consent_record: dict,
    signature_png: bytes,
    identity: SigningIdentity,
    other_identity: SigningIdentity,
) -> None:
    forged = issue_certificate_pdf(
        record=consent_record, signature_png=signature_png, identity=other_identity
    )
    report = verify_certificate_pdf(forged, expected_public_keys=[identity.public_key_pem])
    assert not report.ok
    assert "unknown key" in _failed(report)["signer_key"]
    assert report.verdict.startswith("NOT VALID")
    # Even against its own key it is no valid certificate: it names the genuine root on the page
    # but is signed under another one.
    own = verify_certificate_pdf(forged, expected_public_keys=[other_identity.public_key_pem])
    assert not own.ok
    assert "signed under root" in _failed(own)["root_fingerprint"]
    # Without that claim it is a valid certificate of the other organisation, by its own key.
    unclaimed = issue_certificate_pdf(
        record={**consent_record, "trust": {"root_fingerprint": None}},
        signature_png=signature_png,
        identity=other_identity,
    )
    assert verify_certificate_pdf(
        unclaimed, expected_public_keys=[other_identity.public_key_pem]
    ).ok


def _cms_positions(pdf: bytes) -> list[int]:
    """File offsets of hex digits inside parts of the CMS container its signature does not cover."""
    start = pdf.rindex(b"/Contents <") + len(b"/Contents <")
    end = pdf.index(b">", start)
    der = bytes.fromhex(pdf[start:end].decode("ascii"))
    signed_data = cms.ContentInfo.load(der)["content"]
    info = signed_data["signer_infos"][0]
    cert = signed_data["certificates"][0].chosen
    parts = [
        signed_data["version"],
        signed_data["digest_algorithms"],
        cert["tbs_certificate"]["validity"],
        cert["signature_value"],
        info["version"],
        info["digest_algorithm"],
        info["signature"],
    ]
    positions = []
    for part in parts:
        offset = der.index(part.dump()) + len(part.dump()) - 1  # last byte of the part
        positions.append(start + 2 * offset + 1)
    return [*positions, start, start + 1, end - 1, end - 200, end]  # incl. padding, brackets


def test_every_flipped_byte_after_signing_fails(
    consent_pdf: bytes, identity: SigningIdentity
) -> None:
    """Flip bytes all over the file and in every unsigned part of the signature container.

    (An exhaustive run over every byte of a certificate was done by hand: none verifies.)
    """
    positions = list(range(0, len(consent_pdf), max(1, len(consent_pdf) // 60)))
    positions += _cms_positions(consent_pdf) + [len(consent_pdf) - 1]
    for pos in positions:
        data = bytearray(consent_pdf)
        original = data[pos]
        letter = chr(original).isascii() and chr(original).isalpha()
        data[pos] = original ^ 0x20 if letter else original ^ 0x01  # a letter changes case
        report = verify_certificate_pdf(bytes(data), expected_public_keys=[identity.public_key_pem])
        assert not report.ok, f"byte {pos} changed and the certificate still verifies"
        assert report.verdict.startswith("NOT VALID") and _failed(report)


def _incremental(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_incremental_update_changing_the_name_fails(
    consent_pdf: bytes, consent_record: dict, identity: SigningIdentity
) -> None:
    edited = json.loads(json.dumps(consent_record))
    edited["pii_principal"]["fields"]["name"] = "李强"

    def replace_record(writer: IncrementalPdfFileWriter) -> None:
        names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
        index = [str(names[i]) for i in range(0, len(names), 2)].index("consent-record.json")
        spec_ref = names.raw_get(2 * index + 1)
        spec = spec_ref.get_object()
        new_stream = writer.add_object(generic.StreamObject(stream_data=record_bytes(edited)))
        spec["/EF"] = generic.DictionaryObject(
            {generic.pdf_name("/F"): new_stream, generic.pdf_name("/UF"): new_stream}
        )
        writer.mark_update(spec_ref)

    tampered = _incremental(consent_pdf, replace_record)
    report = verify_certificate_pdf(tampered, expected_public_keys=[identity.public_key_pem])
    assert not report.ok
    failed = _failed(report)
    assert "modified after signing" in failed["signature_coverage"]
    assert "digest mismatch" in failed["qr_payload"]
    assert report.record["pii_principal"]["fields"]["name"] == "李强"  # what the attacker shows


def test_incremental_metadata_update_fails(consent_pdf: bytes, identity: SigningIdentity) -> None:
    def retitle(writer: IncrementalPdfFileWriter) -> None:
        info_ref = writer.trailer.raw_get("/Info")
        info = info_ref.get_object()
        info["/Title"] = generic.TextStringObject("同意证明 李强")
        writer.mark_update(info_ref)

    tampered = _incremental(consent_pdf, retitle)
    report = verify_certificate_pdf(tampered, expected_public_keys=[identity.public_key_pem])
    assert not report.ok
    assert "signature_coverage" in _failed(report)


def test_edited_purposes_with_the_old_qr_payload_fail(
    consent_record: dict, signature_png: bytes, identity: SigningIdentity
) -> None:
    """Even re-rendered and re-signed with the right key, the QR's digest exposes the edit."""
    payload = make_qr_payload(
        certificate_id=consent_record["certificate_id"],
        digest_hex=record_digest_hex(consent_record),
        identity=identity,
    )
    edited = json.loads(json.dumps(consent_record))
    for purpose in edited["purposes"]:
        if purpose["code"] == "cross_border":
            purpose["status"] = "granted"
    edited["granted_purposes"].append("cross_border")
    pdf = sign_pdf(
        render_certificate(record=edited, signature_png=signature_png, qr_payload=payload),
        identity=identity,
    )
    report = verify_certificate_pdf(pdf, expected_public_keys=[identity.public_key_pem])
    assert not report.ok
    assert set(_failed(report)) == {"qr_payload"}
    assert "digest mismatch" in _failed(report)["qr_payload"]


def test_inconsistent_purposes_fail_even_when_fully_reissued(
    consent_record: dict, signature_png: bytes, identity: SigningIdentity
) -> None:
    edited = json.loads(json.dumps(consent_record))
    for purpose in edited["purposes"]:
        if purpose["code"] == "newsletter":
            purpose["status"] = "granted"  # the summary list still says otherwise
    pdf = issue_certificate_pdf(record=edited, signature_png=signature_png, identity=identity)
    report = verify_certificate_pdf(pdf, expected_public_keys=[identity.public_key_pem])
    assert not report.ok
    assert "granted purposes" in _failed(report)["record_consistency"]


def test_qr_payload_signed_by_another_key_fails(
    consent_record: dict,
    signature_png: bytes,
    identity: SigningIdentity,
    other_identity: SigningIdentity,
) -> None:
    payload = make_qr_payload(
        certificate_id=consent_record["certificate_id"],
        digest_hex=record_digest_hex(consent_record),
        identity=other_identity,
    )
    pdf = sign_pdf(
        render_certificate(record=consent_record, signature_png=signature_png, qr_payload=payload),
        identity=identity,
    )
    report = verify_certificate_pdf(pdf, expected_public_keys=[identity.public_key_pem])
    assert set(_failed(report)) == {"qr_signature"}


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.7\n%%EOF\n"])
def test_garbage_is_reported_not_raised(data: bytes) -> None:
    report = verify_certificate_pdf(data)
    assert not report.ok
    assert report.verdict.startswith("NOT VALID")


def test_truncated_and_unsigned_files_fail(
    consent_pdf: bytes, consent_record: dict, signature_png: bytes
) -> None:
    assert not verify_certificate_pdf(consent_pdf[: len(consent_pdf) // 2]).ok
    unsigned = render_certificate(
        record=consent_record, signature_png=signature_png, qr_payload="CB1.x.y.z"
    )
    report = verify_certificate_pdf(unsigned)
    assert not report.ok
    assert "exactly one PDF signature" in _failed(report)["pdf_signature"]


def test_rsa_organisation_key(consent_record: dict, signature_png: bytes, pdf_dir) -> None:
    """An imported RSA key signs too: valid PAdES, valid QR signature, decodable denser QR."""
    import datetime as dt
    import subprocess

    import zxingcpp
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from PIL import Image

    from .helpers import poppler

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA Org")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    identity = SigningIdentity(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
    )
    record = {**consent_record, "trust": {"root_fingerprint": None}}  # no root: a bare key
    pdf = issue_certificate_pdf(record=record, signature_png=signature_png, identity=identity)
    assert verify_certificate_pdf(pdf, expected_public_keys=[identity.public_key_pem]).ok
    path = pdf_dir / "rsa.pdf"
    path.write_bytes(pdf)
    assert "Signature is Valid" in poppler("pdfsig", str(path))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(pdf_dir / "rsa")],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(pdf_dir / "rsa.png"))
    assert len(found) == 1 and found[0].text.startswith("ConsentBooth certificate")


def test_checks_and_verdict_are_translatable_messages(
    consent_pdf: bytes, identity: SigningIdentity
) -> None:
    """Codes stay, the English stays, and the same report reads in Chinese in the console."""
    import re

    from consentbooth.core.i18n import Message, translate

    cjk = re.compile("[\u4e00-\u9fff]")
    genuine = verify_certificate_pdf(consent_pdf, expected_public_keys=[identity.public_key_pem])
    assert translate(genuine.verdict, "zh-CN").startswith("有效：证书 " + genuine.certificate_id)
    data = bytearray(consent_pdf)
    data[len(data) // 2] ^= 0x01
    tampered = verify_certificate_pdf(bytes(data), expected_public_keys=[identity.public_key_pem])
    assert not tampered.ok
    assert tampered.verdict.template == "NOT VALID: certificate {certificate_id}: {reason}."
    first = tampered.failed()[0]
    assert tampered.verdict == f"NOT VALID: certificate {tampered.certificate_id}: {first.detail}."
    assert translate(tampered.verdict, "zh-CN") == (
        f"无效：证书 {tampered.certificate_id}：{translate(first.detail, 'zh-CN')}。"
    )
    for report in (genuine, tampered, verify_certificate_pdf(b"%PDF-1.7\n%%EOF\n")):
        for check in report.checks:
            assert isinstance(check.detail, Message), check
            zh = translate(check.detail, "zh-CN")
            assert cjk.search(zh) and zh != check.detail, check
        assert translate(report.verdict, "en") == report.verdict


def test_record_problems_are_joined_per_language(
    consent_record: dict, signature_png: bytes, identity: SigningIdentity
) -> None:
    from consentbooth.core.i18n import translate

    edited = json.loads(json.dumps(consent_record))
    edited["schema"] = "other/1"
    for purpose in edited["purposes"]:
        if purpose["code"] == "newsletter":
            purpose["status"] = "granted"
    pdf = issue_certificate_pdf(record=edited, signature_png=signature_png, identity=identity)
    report = verify_certificate_pdf(pdf, expected_public_keys=[identity.public_key_pem])
    detail = _failed(report)["record_consistency"]
    assert detail == (
        "unknown schema 'other/1'; "
        "the list of granted purposes does not match the purposes table"
    )
    assert translate(detail, "zh-CN") == "未知的记录格式 'other/1'；已同意用途列表与用途表不一致"
