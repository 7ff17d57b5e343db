"""The age-encrypted, signed transfer bundle: round trip, wrong key, tampering, signer checks."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from consentbooth.core.errors import UserFacingError
from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.crypto.keys import SigningIdentity
from consentbooth.exports.bundle import (
    BundleDamaged,
    BundleSignatureInvalid,
    SignerNotAllowed,
    generate_ops_identity,
    open_bundle,
    read_identity_file,
    recipient_of,
    require_signer,
    seal_bundle,
    write_identity_file,
)
from tests.support.keys import create_self_signed

PAYLOAD = "线索 leads, ledger and certificates / 同意台账".encode() * 20


@pytest.fixture(scope="module")
def org() -> SigningIdentity:
    return create_self_signed("示例展台 Example Booth Ltd.")


@pytest.fixture(scope="module")
def ops() -> tuple[str, str]:
    return generate_ops_identity()


@pytest.fixture(scope="module")
def sealed(org: SigningIdentity, ops: tuple[str, str]) -> bytes:
    return seal_bundle(payload=PAYLOAD, identity=org, recipients=[ops[1]])


def _envelope(data: bytes, secret: str) -> dict[str, bytes]:
    plain = pyrage.decrypt(data, [x25519.Identity.from_str(secret)])
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _reseal(members: dict[str, bytes], public: str) -> bytes:
    """What anyone holding the ops *public* key can do: build an envelope and encrypt it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return pyrage.encrypt(buf.getvalue(), [x25519.Recipient.from_str(public)])


def test_round_trip(sealed: bytes, org: SigningIdentity, ops: tuple[str, str]) -> None:
    assert sealed.startswith(b"age-encryption.org/v1\n")  # a standard age file
    assert PAYLOAD not in sealed
    opened = open_bundle(data=sealed, identity_text=ops[0])
    assert opened.payload == PAYLOAD
    assert opened.signer_public_key_pem == org.public_key_pem
    assert opened.signer_cert_pem == org.cert_pem
    assert opened.payload_sha256 == sha256_hex(PAYLOAD)
    assert "Example Booth" in opened.signer_subject
    require_signer(opened, allowed_public_keys=[org.public_key_pem.decode()])


def test_envelope_format(sealed: bytes, org: SigningIdentity, ops: tuple[str, str]) -> None:
    members = _envelope(sealed, ops[0])
    assert sorted(members) == ["manifest.json", "manifest.sig", "payload.bin", "signer.pem"]
    manifest = json.loads(members["manifest.json"])
    assert canonical_bytes(manifest) == members["manifest.json"]  # RFC 8785 form
    assert manifest["format"] == "consentbooth-bundle" and manifest["version"] == 1
    assert manifest["payload"] == {
        "name": "payload.bin",
        "size": len(PAYLOAD),
        "sha256": sha256_hex(PAYLOAD),
    }
    assert manifest["signature"]["algorithm"] == "ecdsa-sha256"
    assert manifest["signer"]["certificate_sha256"] == sha256_hex(members["signer.pem"])


def test_several_recipients(org: SigningIdentity) -> None:
    a, b = generate_ops_identity(), generate_ops_identity()
    data = seal_bundle(payload=b"x", identity=org, recipients=[a[1], b[1]])
    assert open_bundle(data=data, identity_text=a[0]).payload == b"x"
    assert open_bundle(data=data, identity_text=b[0]).payload == b"x"


def test_other_identity_cannot_open(sealed: bytes) -> None:
    stranger, _ = generate_ops_identity()
    with pytest.raises(BundleDamaged) as caught:
        open_bundle(data=sealed, identity_text=stranger)
    assert "was not encrypted for this key" in str(caught.value)
    assert "different ops key" in str(caught.value)


def test_every_flipped_byte_is_caught(org: SigningIdentity, ops: tuple[str, str]) -> None:
    data = seal_bundle(payload=b"small payload " * 8, identity=org, recipients=[ops[1]])
    for i in range(len(data)):  # every single position of the file
        damaged = bytearray(data)
        damaged[i] ^= 0x01
        with pytest.raises(UserFacingError) as caught:
            open_bundle(data=bytes(damaged), identity_text=ops[0])
        assert isinstance(caught.value, BundleDamaged | BundleSignatureInvalid), i
        assert str(caught.value).startswith("The bundle"), i


def test_truncated_and_garbage(sealed: bytes, ops: tuple[str, str]) -> None:
    for data in (sealed[:-1], sealed[: len(sealed) // 2], b"", b"PK\x03\x04 not age"):
        with pytest.raises(BundleDamaged):
            open_bundle(data=data, identity_text=ops[0])


def test_payload_swapped_by_someone_with_the_public_key(
    sealed: bytes, ops: tuple[str, str]
) -> None:
    members = _envelope(sealed, ops[0])
    members["payload.bin"] = PAYLOAD.replace("线索".encode(), "伪造".encode())
    with pytest.raises(BundleSignatureInvalid, match="payload was changed"):
        open_bundle(data=_reseal(members, ops[1]), identity_text=ops[0])


def test_manifest_edited_breaks_the_signature(sealed: bytes, ops: tuple[str, str]) -> None:
    members = _envelope(sealed, ops[0])
    members["manifest.json"] = members["manifest.json"].replace(b'"version":1', b'"version":1 ')
    with pytest.raises(BundleSignatureInvalid, match="signature is not valid"):
        open_bundle(data=_reseal(members, ops[1]), identity_text=ops[0])


def test_extra_member_is_rejected(sealed: bytes, ops: tuple[str, str]) -> None:
    members = _envelope(sealed, ops[0])
    members["evil.exe"] = b"MZ"
    with pytest.raises(BundleDamaged, match="exactly"):
        open_bundle(data=_reseal(members, ops[1]), identity_text=ops[0])


def test_not_a_bundle_inside(ops: tuple[str, str]) -> None:
    data = pyrage.encrypt(b"hello", [x25519.Recipient.from_str(ops[1])])
    with pytest.raises(BundleDamaged, match="not a ConsentBooth bundle"):
        open_bundle(data=data, identity_text=ops[0])


def test_another_organisation_is_reported(org: SigningIdentity, ops: tuple[str, str]) -> None:
    rogue = create_self_signed("Rogue Trading Co.")
    data = seal_bundle(payload=PAYLOAD, identity=rogue, recipients=[ops[1]])
    opened = open_bundle(data=data, identity_text=ops[0])  # a valid signature ...
    assert opened.signer_public_key_pem == rogue.public_key_pem
    with pytest.raises(SignerNotAllowed) as caught:  # ... by a key that is not ours
        require_signer(opened, allowed_public_keys=[org.public_key_pem])
    assert "Rogue Trading" in str(caught.value) and opened.signer_fingerprint in str(caught.value)
    require_signer(opened, allowed_public_keys=[org.public_key_pem, rogue.public_key_pem])


def test_signer_certificate_swapped_for_same_key(
    org: SigningIdentity, ops: tuple[str, str], sealed: bytes
) -> None:
    members = _envelope(sealed, ops[0])
    members["signer.pem"] = members["signer.pem"] + org.cert_pem  # a "chain" appended later
    with pytest.raises(BundleSignatureInvalid, match="signer certificate"):
        open_bundle(data=_reseal(members, ops[1]), identity_text=ops[0])


def test_bad_keys_are_clear_errors(org: SigningIdentity) -> None:
    with pytest.raises(UserFacingError, match="not an age public key"):
        seal_bundle(payload=b"x", identity=org, recipients=["age1notakey"])
    with pytest.raises(UserFacingError, match="at least one recipient"):
        seal_bundle(payload=b"x", identity=org, recipients=[])
    with pytest.raises(UserFacingError, match="not an age secret key"):
        open_bundle(data=b"x", identity_text="AGE-SECRET-KEY-1NOPE")
    with pytest.raises(UserFacingError, match="not an age secret key"):
        open_bundle(data=b"x", identity_text="age1qqqq")  # a public key is not an identity


def test_identity_file(tmp_path: Path, org: SigningIdentity) -> None:
    secret, public = generate_ops_identity()
    assert secret.startswith("AGE-SECRET-KEY-1") and public.startswith("age1")
    key = tmp_path / "ops.key"
    assert write_identity_file(path=key, secret=secret) == public
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    lines = key.read_text().splitlines()
    assert lines[0].startswith("# created: ") and lines[1] == f"# public key: {public}"
    assert lines[2] == secret and len(lines) == 3
    text = read_identity_file(key)
    assert recipient_of(text) == public
    data = seal_bundle(payload=b"p", identity=org, recipients=[public])
    assert open_bundle(data=data, identity_text=text).payload == b"p"  # the whole file works
    with pytest.raises(UserFacingError, match="never overwritten"):
        write_identity_file(path=key, secret=generate_ops_identity()[0])
    assert read_identity_file(key) == text
    assert sorted(os.listdir(tmp_path)) == ["ops.key"]
    (tmp_path / "not-a-key").write_text("hello")
    with pytest.raises(UserFacingError, match="not an age secret key"):
        read_identity_file(tmp_path / "not-a-key")
    with pytest.raises(UserFacingError, match="could not be read"):
        read_identity_file(tmp_path / "missing.key")


@pytest.mark.skipif(
    shutil.which("age") is None, reason="the age command-line tool is not installed"
)
def test_standard_age_and_openssl_open_it(tmp_path: Path, org: SigningIdentity) -> None:
    secret, public = generate_ops_identity()
    key = tmp_path / "ops.key"
    write_identity_file(path=key, secret=secret)
    bundle = tmp_path / "laptop.cbbundle"
    bundle.write_bytes(seal_bundle(payload=PAYLOAD, identity=org, recipients=[public]))
    envelope = subprocess.run(
        ["age", "-d", "-i", str(key), str(bundle)], check=True, capture_output=True
    ).stdout
    with zipfile.ZipFile(io.BytesIO(envelope)) as zf:
        zf.extractall(tmp_path / "env")
    env = tmp_path / "env"
    assert (env / "payload.bin").read_bytes() == PAYLOAD
    if shutil.which("openssl"):
        pub = subprocess.run(
            ["openssl", "x509", "-in", str(env / "signer.pem"), "-pubkey", "-noout"],
            check=True,
            capture_output=True,
        ).stdout
        (env / "signer.pub").write_bytes(pub)
        verified = subprocess.run(
            [
                "openssl",
                "dgst",
                "-sha256",
                "-verify",
                str(env / "signer.pub"),
                "-signature",
                str(env / "manifest.sig"),
                str(env / "manifest.json"),
            ],
            capture_output=True,
            text=True,
        )
        assert verified.returncode == 0 and "Verified OK" in verified.stdout
