"""The organisation's root of trust: root, leaves, chains, enrolment files, checked by OpenSSL too."""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import translate
from consentbooth.crypto import enrolment, pki
from consentbooth.crypto.keys import SigningIdentity
from tests.support.keys import create_self_signed

ORG = "Example Booth Technology (Shanghai) Co., Ltd."
APP = Path(__file__).resolve().parents[2] / "app" / "consentbooth"


@pytest.fixture(scope="module")
def root() -> SigningIdentity:
    return pki.create_root(ORG)


@pytest.fixture(scope="module")
def device(root: SigningIdentity) -> SigningIdentity:
    return pki.new_identity(root, role="device", subject_name="booth-laptop-3", organisation_name=ORG)


def _openssl(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30, check=False)


def test_root_is_a_p256_ca_with_pathlen_zero(root: SigningIdentity) -> None:
    cert = root.certificate
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert usage.value.digital_signature
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value.endswith(
        "ConsentBooth root"
    )
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > dt.timedelta(days=365 * 25)
    assert pki.certificate_role(root.cert_pem) == "root"


@pytest.mark.parametrize("role", ["device", "pdf", "hub"])
def test_leaves_carry_their_role_and_document_signer_usage(root: SigningIdentity, role: str) -> None:
    identity = pki.new_identity(root, role=role, subject_name=f"the {role}", organisation_name=ORG)
    cert = identity.certificate
    assert pki.certificate_role(identity.cert_pem) == role
    assert pki.organisation_of(cert) == ORG
    assert identity.chain_pem == root.cert_pem
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    root_ski = root.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki.key_identifier == root_ski.value.digest
    assert cert.not_valid_after_utc <= root.certificate.not_valid_after_utc
    assert identity.sign(b"x")  # the key works
    with pytest.raises(ValueError, match="role"):
        pki.new_identity(root, role="admin", subject_name="x", organisation_name=ORG)


def test_openssl_accepts_the_chain_for_document_signing(
    root: SigningIdentity, device: SigningIdentity, tmp_path: Path
) -> None:
    """An independent implementation agrees: the leaf verifies under the root for S/MIME signing."""
    (tmp_path / "root.pem").write_bytes(root.cert_pem)
    (tmp_path / "leaf.pem").write_bytes(device.cert_pem)
    done = _openssl(
        "verify", "-x509_strict", "-purpose", "smimesign", "-CAfile", str(tmp_path / "root.pem"),
        str(tmp_path / "leaf.pem"),
    )
    assert done.returncode == 0 and ": OK" in done.stdout, done.stdout + done.stderr
    forged = create_self_signed(ORG)
    (tmp_path / "forged.pem").write_bytes(forged.cert_pem)
    done = _openssl("verify", "-CAfile", str(tmp_path / "root.pem"), str(tmp_path / "forged.pem"))
    assert done.returncode != 0


def test_fingerprint_is_sha256_of_the_der_certificate(root: SigningIdentity, tmp_path: Path) -> None:
    fp = pki.fingerprint(root.cert_pem)
    assert re.fullmatch("[0-9a-f]{64}", fp)
    assert pki.fingerprint(root.certificate) == fp
    assert pki.fingerprint(root.certificate.public_bytes(serialization.Encoding.DER)) == fp
    (tmp_path / "root.pem").write_bytes(root.cert_pem)
    done = _openssl("x509", "-in", str(tmp_path / "root.pem"), "-noout", "-fingerprint", "-sha256")
    assert done.stdout.strip().split("=", 1)[1].replace(":", "").lower() == fp
    shown = pki.format_fingerprint(fp)
    assert re.fullmatch("([0-9A-F]{4} ){15}[0-9A-F]{4}", shown)
    assert pki.format_fingerprint(shown) == shown  # idempotent: people may paste it back


def test_chain_to_root(root: SigningIdentity, device: SigningIdentity) -> None:
    result = pki.chain_to_root(device.cert_pem, device.chain_pem, [root.certificate])
    assert result.trusted and result.role == "device"
    assert result.root_fingerprint == pki.fingerprint(root.cert_pem)
    assert [c.subject for c in result.path] == [device.certificate.subject, root.certificate.subject]
    # Without the root in the carried chain, the trusted root alone is enough.
    assert pki.chain_to_root(device.cert_pem, b"", [root.certificate]).trusted


def test_chain_refusals_say_why(root: SigningIdentity, device: SigningIdentity) -> None:
    other_root = pki.create_root("Another Organisation Ltd.")
    forged = create_self_signed(ORG)  # copies the organisation's name
    result = pki.chain_to_root(forged.cert_pem, b"", [root.certificate])
    assert not result.trusted and result.root_fingerprint == pki.fingerprint(forged.cert_pem)
    assert "does not chain to a trusted root" in result.reason
    # Another organisation's device, carrying its own root: the top of its chain is reported.
    stranger = pki.new_identity(other_root, role="device", subject_name="x", organisation_name=ORG)
    result = pki.chain_to_root(stranger.cert_pem, stranger.chain_pem, [root.certificate])
    assert not result.trusted and result.root_fingerprint == pki.fingerprint(other_root.cert_pem)
    # Expired (judged in 20 years): the leaf outlived its validity.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 20)
    result = pki.chain_to_root(device.cert_pem, device.chain_pem, [root.certificate], at=later)
    assert not result.trusted and "not valid at that time" in result.reason
    # A leaf used as an issuer is no CA: a certificate "issued" by the device is refused.
    key = ec.generate_private_key(ec.SECP256R1())
    fake = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sub-device")]))
        .issuer_name(device.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
        .sign(device.private_key, hashes.SHA256())
    )
    fake_pem = fake.public_bytes(serialization.Encoding.PEM)
    result = pki.chain_to_root(fake_pem, device.cert_pem + root.cert_pem, [root.certificate])
    assert not result.trusted and "not a certificate authority" in result.reason
    assert not pki.chain_to_root(b"garbage", b"", [root.certificate]).trusted


def test_load_trust_root_refuses_what_cannot_be_a_root(
    root: SigningIdentity, device: SigningIdentity
) -> None:
    assert pki.fingerprint(pki.load_trust_root(root.cert_pem)) == pki.fingerprint(root.cert_pem)
    der = root.certificate.public_bytes(serialization.Encoding.DER)
    assert pki.fingerprint(pki.load_trust_root(der)) == pki.fingerprint(root.cert_pem)
    cases = [
        (device.cert_pem, "not a certificate authority"),
        (create_self_signed(ORG).cert_pem, "not a certificate authority"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not a certificate"),
        (b"hello", "not a certificate"),
    ]
    for data, expected in cases:
        with pytest.raises(pki.TrustRootError) as caught:
            pki.load_trust_root(data)
        assert expected in str(caught.value)
        _one_sentence(caught.value)
    with pytest.raises(pki.TrustRootError, match="expired"):
        pki.load_trust_root(root.cert_pem, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 30))


def _one_sentence(error: UserFacingError) -> None:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text and text.endswith(".")
    zh = error.localized("zh-CN")
    assert zh != text and re.search("[\u4e00-\u9fff]", zh), zh


def test_enrolment_round_trip(root: SigningIdentity) -> None:
    code = enrolment.new_enrolment_code()
    assert re.fullmatch("([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", code)
    data = enrolment.make_enrolment(root, device_id="booth-laptop-7", organisation_name=ORG, code=code)
    typed = code.lower().replace("-", " ")  # as a person types it back
    joined = enrolment.read_enrolment(data, typed)
    assert joined.device_id == "booth-laptop-7"
    assert joined.organisation_name == ORG
    assert joined.root_cert_pem == root.cert_pem
    assert pki.certificate_role(joined.identity.cert_pem) == "device"
    assert pki.chain_to_root(
        joined.identity.cert_pem, joined.identity.chain_pem, [root.certificate]
    ).trusted
    signature = joined.identity.sign(b"ledger entry")
    joined.identity.certificate.public_key().verify(
        signature, b"ledger entry", ec.ECDSA(hashes.SHA256())
    )
    assert joined.role == "device"
    # O and I/L typed for 0 and 1 still open it
    assert enrolment.normalise_enrolment_code("o1l-I") == "0111"
    hub = enrolment.make_enrolment(root, device_id="hub-1", organisation_name=ORG, code=code, role="hub")
    assert enrolment.read_enrolment(hub, code).role == "hub"
    with pytest.raises(ValueError):
        enrolment.make_enrolment(root, device_id="x", organisation_name=ORG, code=code, role="pdf")


def test_enrolment_codes_are_random_and_unambiguous() -> None:
    codes = {enrolment.new_enrolment_code() for _ in range(200)}
    assert len(codes) == 200
    assert not set("".join(codes)) & set("ILOU")


def _p12(key, cert, cas) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"x", key, cert, cas, serialization.BestAvailableEncryption(b"ABCD1234EFGH5678")
    )


def test_bad_enrolment_files_are_one_sentence_each(root: SigningIdentity, tmp_path: Path) -> None:
    code = "ABCD-1234-EFGH-5678"
    good = enrolment.make_enrolment(root, device_id="laptop", organisation_name=ORG, code=code)
    other_root = pki.create_root("Another Organisation Ltd.")
    stranger = pki.new_identity(other_root, role="device", subject_name="x", organisation_name=ORG)
    signer = pki.new_identity(root, role="pdf", subject_name="pdf", organisation_name=ORG)
    cases = {
        "not an enrolment file": b"PK\x03\x04 this is a zip, not PKCS#12",
        "does not open": good,  # with the wrong code below
        "truncated": good[: len(good) // 2],
        "not signed by the organisation root": _p12(
            stranger.private_key, stranger.certificate, [root.certificate]
        ),
        "not for a booth device": _p12(signer.private_key, signer.certificate, [root.certificate]),
        "no organisation root": _p12(stranger.private_key, stranger.certificate, []),
        "no device key": pkcs12.serialize_key_and_certificates(
            b"x", None, None, [root.certificate],
            serialization.BestAvailableEncryption(b"ABCD1234EFGH5678"),
        ),
    }
    expected = {
        "not an enrolment file": "not an enrolment file",
        "does not open": "does not open this enrolment file",
        "truncated": "enrolment file",
        "not signed by the organisation root": "not signed by the organisation root",
        "not for a booth device": "not for a booth device",
        "no organisation root": "no organisation root",
        "no device key": "no device key",
    }
    for name, data in cases.items():
        with pytest.raises(enrolment.EnrolmentError) as caught:
            enrolment.read_enrolment(data, "WRONG-CODE-0000-0000" if name == "does not open" else code)
        assert expected[name] in str(caught.value), (name, str(caught.value))
        _one_sentence(caught.value)
    with pytest.raises(enrolment.EnrolmentError, match="expired"):
        enrolment.read_enrolment(good, code, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 11))
    with pytest.raises(enrolment.EnrolmentError, match="not valid yet"):
        enrolment.read_enrolment(good, code, at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    with pytest.raises(enrolment.EnrolmentError, match="too short"):
        enrolment.make_enrolment(root, device_id="x", organisation_name=ORG, code="abc")
    # a not-CA "root" cannot certify anything
    with pytest.raises(pki.TrustRootError):
        enrolment.make_enrolment(create_self_signed(ORG), device_id="x", organisation_name=ORG, code=code)


def test_enrolment_file_opens_with_openssl(root: SigningIdentity, tmp_path: Path) -> None:
    code = enrolment.new_enrolment_code()
    path = tmp_path / "laptop.p12"
    path.write_bytes(enrolment.make_enrolment(root, device_id="laptop-9", organisation_name=ORG, code=code))
    done = _openssl(
        "pkcs12", "-in", str(path), "-nokeys", "-passin",
        f"pass:{enrolment.normalise_enrolment_code(code)}",
    )
    assert done.returncode == 0, done.stderr
    assert "CN = laptop-9" in done.stdout or "CN=laptop-9" in done.stdout


def test_root_crl_is_signed_by_the_root(root: SigningIdentity, device: SigningIdentity) -> None:
    crl = x509.load_der_x509_crl(pki.issue_crl(root))
    assert crl.is_signature_valid(root.certificate.public_key())
    assert crl.issuer == root.certificate.subject
    assert crl.get_revoked_certificate_by_serial_number(device.certificate.serial_number) is None
    revoked = x509.load_der_x509_crl(
        pki.issue_crl(root, revoked=[(device.certificate.serial_number, dt.datetime.now(dt.UTC))])
    )
    assert revoked.get_revoked_certificate_by_serial_number(device.certificate.serial_number)


ERRORS = {"UserFacingError", "TrustRootError", "EnrolmentError", "TimestampError", "Message"}


@pytest.mark.parametrize(
    "module",
    [
        "crypto/pki.py",
        "certificates/timestamps.py",
        "certificates/signing.py",
        "certificates/pades.py",
        "certificates/integrity.py",
        "certificates/verify.py",
        "certificates/record.py",
    ],
)
def test_every_sentence_of_the_trust_modules_is_translated(module: str) -> None:
    found = set()
    for node in ast.walk(ast.parse((APP / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ERRORS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    assert found, module
    missing = sorted(m for m in found if translate(m, "zh-CN") == m)
    assert missing == []
