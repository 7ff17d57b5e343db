"""Who signed it: the organisation's root decides, a copied name does not (issue 9).

Forgeries are made as an adversary would: an own P-256 key with a self-signed certificate (or a
whole own root) copying the organisation's name, the record edited, the QR code rebuilt and
signed. pdfsig (poppler + NSS) and OpenSSL judge the genuine certificates independently.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from consentbooth.certificates import issue_certificate_pdf, verify_certificate_pdf
from consentbooth.certificates import page as page_module
from consentbooth.certificates.checks import Outcome
from consentbooth.certificates.qr import make_qr_payload, qr_matrix
from consentbooth.certificates.record import record_digest_hex
from consentbooth.crypto import pki
from consentbooth.crypto.keys import SigningIdentity, load_pkcs12
from consentbooth.crypto.pki import TrustRootError
from tests.support.keys import create_self_signed

from . import sample


def zxing(image) -> list[str]:
    """The decoder the app injects (zxing-cpp), used as the scanning adapter would."""
    return [b.text for b in zxingcpp.read_barcodes(image)]


def _failed(report) -> dict[str, str]:
    return {c.name: c.detail for c in report.checks if not c.ok}


@pytest.fixture(scope="module")
def nss_db(tmp_path_factory: pytest.TempPathFactory, root: SigningIdentity) -> Path:
    """An NSS database trusting only the organisation's root (what ops tell a recipient to do)."""
    if shutil.which("certutil") is None or shutil.which("pdfsig") is None:
        pytest.skip("certutil (libnss3-tools) and pdfsig (poppler-utils) are needed")
    db = tmp_path_factory.mktemp("nss")
    (db / "root.pem").write_bytes(root.cert_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "org", "-t", "CT,C,C", "-i", str(db / "root.pem")],
        check=True,
    )
    return db


def pdfsig(db: Path, path: Path) -> str:
    done = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{db}", str(path)], capture_output=True, text=True, timeout=60
    )
    return done.stdout + done.stderr  # pdfsig exits 0 even for a bad signature: read its text


@pytest.fixture(scope="module")
def forged_record(consent_record: dict) -> dict:
    record = json.loads(json.dumps(consent_record))
    record["pii_principal"]["fields"]["name"] = "李强"
    record["purposes"][3]["status"] = "granted"  # the newsletter, now "granted"
    record["purposes"][3]["expires_on"] = "2026-09-24"
    record["granted_purposes"] = [p["code"] for p in record["purposes"] if p["status"] == "granted"]
    return record


def test_genuine_certificate_with_the_root_is_valid(
    consent_pdf: bytes, root: SigningIdentity, identity: SigningIdentity
) -> None:
    report = verify_certificate_pdf(consent_pdf, trust_roots=[root.cert_pem], decode_qr=zxing)
    assert report.ok and report.outcome is Outcome.VALID, report.checks
    assert report.outcome == "valid"  # stable values for JSON and the CLI
    assert report.root_fingerprint == pki.fingerprint(root.cert_pem)
    assert report.signer_role == "pdf"
    assert report.verdict.startswith("VALID: certificate ")
    assert pki.format_fingerprint(report.root_fingerprint) in report.verdict
    names = {c.name for c in report.checks if c.ok}
    assert {"signer_trust", "root_fingerprint", "printed_qr", "qr_signature"} <= names
    # The vault's way (its known keys) still establishes the signer, alone or with the root.
    keys = verify_certificate_pdf(consent_pdf, expected_public_keys=[identity.public_key_pem])
    assert keys.outcome is Outcome.VALID
    stranger_key = create_self_signed("x").public_key_pem
    both = verify_certificate_pdf(
        consent_pdf, trust_roots=[root.cert_pem], expected_public_keys=[stranger_key]
    )
    assert both.outcome is Outcome.VALID and not both.failed()


@pytest.mark.parametrize("claim", ["genuine root", "own root", "none"])
def test_self_signed_forgery_is_never_valid(
    forged_record: dict,
    signature_png: bytes,
    root: SigningIdentity,
    consent_record: dict,
    claim: str,
) -> None:
    forger = create_self_signed(sample.ORGANISATION.name)  # own key, the organisation's name
    record = json.loads(json.dumps(forged_record))
    record["trust"]["root_fingerprint"] = {
        "genuine root": pki.fingerprint(root.cert_pem),
        "own root": pki.fingerprint(forger.cert_pem),
        "none": None,
    }[claim]
    forged = issue_certificate_pdf(record=record, signature_png=signature_png, identity=forger)
    alone = verify_certificate_pdf(forged, decode_qr=zxing)
    assert alone.outcome is not Outcome.VALID and not alone.ok
    if claim == "genuine root":  # printing the genuine fingerprint gives it away
        assert alone.outcome is Outcome.INVALID
        assert "signed under root" in _failed(alone)["root_fingerprint"]
    else:  # intact, but whose? its own fingerprint, not the organisation's
        assert alone.outcome is Outcome.UNTRUSTED
        assert alone.verdict.startswith("INTACT, SIGNER NOT ESTABLISHED")
        assert alone.root_fingerprint == pki.fingerprint(forger.cert_pem)
        assert alone.root_fingerprint != pki.fingerprint(root.cert_pem)
    trusted = verify_certificate_pdf(forged, trust_roots=[root.cert_pem])
    assert trusted.outcome is Outcome.INVALID and not trusted.ok
    assert "does not chain to a trusted root" in _failed(trusted)["signer_trust"]
    assert trusted.verdict.startswith("NOT VALID")


def test_forgery_under_an_own_root_copying_the_name_is_never_valid(
    forged_record: dict, signature_png: bytes, root: SigningIdentity
) -> None:
    """The forger builds the same two-level hierarchy with the same names: only the key differs."""
    fake_root = pki.create_root(sample.ORGANISATION.name)
    fake = pki.new_identity(
        fake_root, role="pdf", subject_name="Certificates", organisation_name=sample.ORGANISATION.name
    )
    record = json.loads(json.dumps(forged_record))
    record["trust"]["root_fingerprint"] = pki.fingerprint(fake_root.cert_pem)
    forged = issue_certificate_pdf(record=record, signature_png=signature_png, identity=fake)
    alone = verify_certificate_pdf(forged)
    assert alone.outcome is Outcome.UNTRUSTED
    assert alone.root_fingerprint == pki.fingerprint(fake_root.cert_pem) != pki.fingerprint(root.cert_pem)
    trusted = verify_certificate_pdf(forged, trust_roots=[root.cert_pem])
    assert trusted.outcome is Outcome.INVALID
    assert trusted.root_fingerprint == pki.fingerprint(fake_root.cert_pem)


def test_pdfsig_trusts_the_genuine_signer_through_the_root_only(
    consent_pdf: bytes, nss_db: Path, pdf_dir: Path, forged_record: dict, signature_png: bytes
) -> None:
    genuine = pdf_dir / "genuine.pdf"
    genuine.write_bytes(consent_pdf)
    out = pdfsig(nss_db, genuine)
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out
    forger = create_self_signed(sample.ORGANISATION.name)
    forged = pdf_dir / "forged.pdf"
    forged.write_bytes(
        issue_certificate_pdf(record=forged_record, signature_png=signature_png, identity=forger)
    )
    out = pdfsig(nss_db, forged)
    assert "Signature is Valid" in out  # intact ...
    assert "Certificate is Trusted" not in out, out  # ... but not the organisation's


def test_pdfsig_trusts_the_withdrawal_certificate_too(
    withdrawal_pdf: bytes, nss_db: Path, pdf_dir: Path
) -> None:
    path = pdf_dir / "withdrawal-trusted.pdf"
    path.write_bytes(withdrawal_pdf)
    out = pdfsig(nss_db, path)
    assert "Signature is Valid" in out and "Certificate is Trusted" in out, out


def test_trust_roots_must_be_certificate_authorities(
    consent_pdf: bytes, identity: SigningIdentity
) -> None:
    for bad in (identity.cert_pem, b"not a certificate", create_self_signed("x").cert_pem):
        with pytest.raises(TrustRootError):
            verify_certificate_pdf(consent_pdf, trust_roots=[bad])


def test_printed_qr_that_differs_from_the_signed_one_is_invalid(
    consent_record: dict,
    signature_png: bytes,
    identity: SigningIdentity,
    root: SigningIdentity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The signer prints one QR code and attaches another: the page must say what is signed."""
    other = json.loads(json.dumps(consent_record))
    other["pii_principal"]["fields"]["name"] = "李强"
    shown = make_qr_payload(
        certificate_id=other["certificate_id"], digest_hex=record_digest_hex(other), identity=identity
    )
    monkeypatch.setattr(page_module, "qr_matrix", lambda _text: qr_matrix(shown))
    swapped = issue_certificate_pdf(record=consent_record, signature_png=signature_png, identity=identity)
    monkeypatch.undo()
    without = verify_certificate_pdf(swapped, trust_roots=[root.cert_pem])
    assert without.outcome is Outcome.VALID  # the attached payload alone cannot tell
    report = verify_certificate_pdf(swapped, trust_roots=[root.cert_pem], decode_qr=zxing)
    assert report.outcome is Outcome.INVALID
    assert "differs from the signed record" in _failed(report)["printed_qr"]
    blank = verify_certificate_pdf(swapped, trust_roots=[root.cert_pem], decode_qr=lambda _img: [])
    assert "no ConsentBooth QR code" in _failed(blank)["printed_qr"]


def _ca(name: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None, pathlen: int):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), critical=False
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256()), key


def test_an_imported_real_ca_chain_keeps_working(
    consent_record: dict, signature_png: bytes, pdf_dir: Path
) -> None:
    """A PKCS#12 from a commercial CA (root -> intermediate -> signer) signs and verifies."""
    ca_root, ca_root_key = _ca("Real Root CA", None, 1)
    inter, inter_key = _ca("Real Issuing CA", (ca_root, ca_root_key), 0)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, sample.ORGANISATION.name),
                    x509.NameAttribute(NameOID.COMMON_NAME, "Document signing"),
                ]
            )
        )
        .issuer_name(inter.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_key.public_key()), critical=False
        )
        .sign(inter_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"org", key, leaf, [inter, ca_root], serialization.BestAvailableEncryption(b"pw")
    )
    identity = load_pkcs12(p12, b"pw")
    root_pem = ca_root.public_bytes(serialization.Encoding.PEM)
    record = {**consent_record, "trust": {"root_fingerprint": pki.fingerprint(root_pem)}}
    pdf = issue_certificate_pdf(record=record, signature_png=signature_png, identity=identity)
    report = verify_certificate_pdf(pdf, trust_roots=[root_pem])
    assert report.outcome is Outcome.VALID, report.checks
    assert report.root_fingerprint == pki.fingerprint(root_pem)
    assert report.signer_role is None  # not a ConsentBooth-issued certificate: shown as such
    assert verify_certificate_pdf(pdf).outcome is Outcome.UNTRUSTED
    # pyHanko's own validator agrees, trusting only the real root
    (pdf_dir / "real-ca.pdf").write_bytes(pdf)
    (pdf_dir / "real-root.pem").write_bytes(root_pem)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "pyhanko"),
            "sign", "validate", "--trust", str(pdf_dir / "real-root.pem"), "--trust-replace",
            "--executive-summary", str(pdf_dir / "real-ca.pdf"),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert "VALID" in done.stdout and "INVALID" not in done.stdout, done.stdout + done.stderr


def test_a_root_cannot_issue_under_another_root(root: SigningIdentity) -> None:
    """An intermediate under our pathlen-0 root would break the two-level promise."""
    other = pki.create_root("Sub CA")
    cert = x509.load_pem_x509_certificate(
        pki.certify(
            root,
            public_key_pem=other.public_key_pem,
            role="device",
            subject_name="x",
            organisation_name="x",
        )
    )
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
