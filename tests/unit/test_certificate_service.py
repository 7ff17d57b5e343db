"""Certificates through the services: stored in the vault, exported on demand, verified."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.services.booth import Booth
from consentbooth.services.certificates import (
    issue_certificate,
    verify_certificate,
)
from consentbooth.vault import certstore
from tests.helpers import zh_request


def test_certificate_is_stored_inside_the_vault_and_verifies(booth: Booth, tmp_path: Path) -> None:
    result = booth.capture(zh_request())
    cert_id = booth.issue_certificate(result.ledger_id)
    assert issue_certificate(booth.ctx, result.ledger_id) == cert_id  # idempotent
    assert list(tmp_path.glob("*.pdf")) == []  # nothing written outside the vault
    out = tmp_path / "cert.pdf"
    booth.export_certificate(result.lead_id, out)
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    verdict = booth.verify_certificate(pdf)
    assert verdict.ok, verdict.verdict
    assert cert_id in verdict.verdict
    assert {c.name for c in verdict.checks} >= {"pdf_signature", "qr_signature", "ledger", "current_consent"}
    # anyone can verify without the vault: intact, but only the organisation's root establishes
    # who signed it (issue 9: never VALID without a trust anchor)
    stranger = verify_certificate(None, pdf)
    assert (stranger.ok, stranger.outcome) == (False, "untrusted")
    assert stranger.root_fingerprint == booth.root_info().fingerprint
    assert verify_certificate(None, pdf, trust_roots=[booth.root_info().cert_pem]).outcome == "valid"


def test_verify_reports_a_later_withdrawal(booth: Booth, tmp_path: Path) -> None:
    result = booth.capture(zh_request())
    booth.issue_certificate(result.ledger_id)
    out = tmp_path / "c.pdf"
    booth.export_certificate(result.lead_id, out)
    booth.withdraw(lead_id=result.lead_id, purposes=["newsletter"], channel="wechat")
    verdict = booth.verify_certificate(out.read_bytes())
    assert verdict.ok
    assert "withdrawn" in verdict.verdict and "newsletter" in verdict.verdict


def test_certificate_of_another_vault_is_not_in_this_ledger(booth: Booth, tmp_path: Path, passphrase: str) -> None:
    other = Booth.create(tmp_path / "other.cbvault", passphrase, demo=True)
    result = other.capture(zh_request())
    other.export_certificate(result.lead_id, tmp_path / "o.pdf")
    other.lock()
    verdict = booth.verify_certificate((tmp_path / "o.pdf").read_bytes())
    assert not verdict.ok
    assert any(not c.ok for c in verdict.checks)


def test_history_and_event_zip(booth: Booth, tmp_path: Path) -> None:
    first = booth.capture(zh_request())
    booth.withdraw(lead_id=first.lead_id, purposes=["sales_contact"], channel="phone")
    booth.capture(zh_request(fields={"name": "Emma Schmidt", "email": "emma@example.de", "phone": "13900139000"}))
    history = tmp_path / "history.zip"
    assert booth.export_certificate(first.lead_id, history, history=True) == 2
    with zipfile.ZipFile(history) as zf:
        kinds = sorted(n.split("-")[3] for n in zf.namelist())
    assert kinds == ["consent", "withdrawal"]
    event_zip = tmp_path / "event.zip"
    count = booth.export_event_certificates(event_id=booth.current_event().id, target=event_zip)
    assert count == 3
    with zipfile.ZipFile(event_zip) as zf:
        assert all(zf.read(n).startswith(b"%PDF") for n in zf.namelist())


def test_erased_person_keeps_no_certificate(booth: Booth, tmp_path: Path) -> None:
    result = booth.capture(zh_request())
    booth.issue_certificate(result.ledger_id)
    booth.erase(lead_id=result.lead_id)
    assert certstore.for_lead(booth.vault, result.lead_id) == []
    with pytest.raises(UserFacingError, match="erased"):
        booth.issue_certificate(result.ledger_id)


def test_imported_pkcs12_signs_certificates_and_ledger_keeps_its_key(booth: Booth, tmp_path: Path) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    earlier = booth.capture(zh_request())
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Test CA")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "示例仪器有限公司")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"org", key, cert, None, serialization.BestAvailableEncryption(b"p12-secret")
    )
    with pytest.raises(UserFacingError, match="wrong password"):
        booth.import_certificate_identity(p12, "nope")
    assert "示例仪器" in booth.import_certificate_identity(p12, "p12-secret")
    later = booth.capture(zh_request())
    out = tmp_path / "later.pdf"
    booth.export_certificate(later.lead_id, out)
    verdict = booth.verify_certificate(out.read_bytes())
    assert verdict.ok, verdict.verdict
    assert "示例仪器" in next(c.detail for c in verdict.checks if c.name == "pdf_signature")
    assert booth.verify_ledger().ok  # the ledger still verifies with the device key
    booth.export_certificate(earlier.lead_id, tmp_path / "earlier.pdf")
    assert booth.verify_certificate((tmp_path / "earlier.pdf").read_bytes()).ok
