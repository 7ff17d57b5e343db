"""Fixtures for certificate tests: keys and signed certificates, built once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentbooth.certificates import issue_certificate_pdf
from consentbooth.crypto import pki
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.domain.models import Action
from tests.support.keys import create_self_signed
from tests.support.tsa import local_tsa, tsa  # noqa: F401  (fixtures: a real local RFC 3161 TSA)

from . import sample


@pytest.fixture(scope="module")
def root() -> SigningIdentity:
    """The organisation's root of trust (CA, pathlen 0)."""
    return pki.create_root(sample.ORGANISATION.name)


@pytest.fixture(scope="module")
def identity(root: SigningIdentity) -> SigningIdentity:
    """The PDF signing key, certified by the root; its chain_pem is the root certificate."""
    return pki.new_identity(
        root, role="pdf", subject_name="Certificates", organisation_name=sample.ORGANISATION.name
    )


@pytest.fixture(scope="module")
def legacy_identity() -> SigningIdentity:
    """A self-signed identity, as vaults made before the root of trust hold."""
    return create_self_signed(sample.ORGANISATION.name)


@pytest.fixture(scope="module")
def other_identity() -> SigningIdentity:
    return create_self_signed("Another Organisation Ltd.")


@pytest.fixture(scope="module")
def signature_png() -> bytes:
    return sample.signature_png()


@pytest.fixture(scope="module")
def consent_record(signature_png: bytes, root: SigningIdentity) -> dict:
    return sample.record(signature=signature_png, root_fingerprint=pki.fingerprint(root.cert_pem))


@pytest.fixture(scope="module")
def consent_pdf(consent_record: dict, signature_png: bytes, identity: SigningIdentity) -> bytes:
    return issue_certificate_pdf(
        record=consent_record, signature_png=signature_png, identity=identity
    )


@pytest.fixture(scope="module")
def withdrawal_record(root: SigningIdentity) -> dict:
    return sample.record(action=Action.WITHDRAWAL, root_fingerprint=pki.fingerprint(root.cert_pem))


@pytest.fixture(scope="module")
def withdrawal_pdf(withdrawal_record: dict, identity: SigningIdentity) -> bytes:
    return issue_certificate_pdf(record=withdrawal_record, signature_png=None, identity=identity)


@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certificates")
