"""Issue 9's figures through the command line, as ops and a stranger would use it.

- The organisation's hub enrols two laptops; a vault it never set up forges a consent on a lead
  of laptop A: merging A, the stranger and B refuses the stranger only, each with a JSON result,
  and the hub's newsletter export still leaves out A's person, who withdrew it.
- A certificate re-made by a forger (record edited, own key, self-signed certificate copying the
  organisation's name) is never VALID: "signer not established" (exit 3) alone, INVALID (exit 1)
  against the genuine root; the genuine one is VALID (exit 0) with the root, and pdfsig, with
  only the root in its NSS database, reports it trusted.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from consentbooth.certificates import issue_certificate_pdf
from consentbooth.crypto import pki
from tests.e2e.conftest import cb
from tests.helpers import ZH_LEAD
from tests.support.keys import create_self_signed

CODE_ENV = "CONSENTBOOTH_ENROLMENT_CODE"


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    return result


def _enrolled(hub: Path, laptop: Path, tmp_path: Path) -> None:
    file = tmp_path / (laptop.stem + ".cbenrol")
    made = _ok(cb("enrol-device", "--vault", str(hub), "--out", str(file)))
    code = made.stderr.rsplit(":", 1)[1].strip()
    assert len(code) == 19 and code not in made.stdout  # printed once, for a person, not in JSON
    wrong = cb("init", "--vault", str(laptop), "--demo", "--enrol", str(file), **{CODE_ENV: "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.returncode == 2 and "code" in wrong.stderr and not laptop.exists()
    joined = json.loads(_ok(cb("init", "--vault", str(laptop), "--demo", "--enrol", str(file),
                              **{CODE_ENV: code.lower()})).stdout)
    assert not joined["organisation_root"]
    assert joined["root_fingerprint"] == json.loads(_ok(cb("root", "--vault", str(hub))).stdout)["fingerprint"]


def _capture(vault: Path, tmp_path: Path, fields: dict, purposes: list[str]) -> dict:
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"fields": fields, "purposes": purposes}, ensure_ascii=False), encoding="utf-8")
    return json.loads(_ok(cb("capture", "--vault", str(vault), "--input", str(lead))).stdout)


def test_a_strangers_bundle_is_refused_and_the_others_merge(tmp_path: Path) -> None:
    hub, a, b = (tmp_path / f"{n}.cbvault" for n in ("hub", "a", "b"))
    _ok(cb("init", "--vault", str(hub), "--role", "hub", "--organisation", "Example Instruments Co., Ltd."))
    _enrolled(hub, a, tmp_path)
    _enrolled(hub, b, tmp_path)
    key = tmp_path / "ops.key"
    public = _ok(cb("keygen-ops", "--out", str(key), passphrase=None)).stdout.strip()
    person = _capture(a, tmp_path, ZH_LEAD, ["sales_contact", "newsletter"])
    _ok(cb("withdraw", "--vault", str(a), "--lead", person["lead_id"], "--purpose", "newsletter"))
    _capture(b, tmp_path, {**ZH_LEAD, "name": "李娜", "phone": "139 0013 9000"}, ["newsletter"])
    for vault in (a, b):
        _ok(cb("bundle", "--vault", str(vault), "--recipient", public, "--out", str(tmp_path / f"{vault.stem}.age")))
    stranger = tmp_path / "stranger.cbvault"
    _ok(cb("init", "--vault", str(stranger), "--demo"))
    _forge_consent_on(stranger, person["lead_id"])
    _ok(cb("bundle", "--vault", str(stranger), "--recipient", public, "--out", str(tmp_path / "stranger.age")))

    merged = cb("merge", "--hub", str(hub), "--identity", str(key),
                *(str(tmp_path / f"{n}.age") for n in ("a", "stranger", "b")))
    assert merged.returncode == 1
    results = json.loads(merged.stdout)
    assert [(r["ok"], r["code"]) for r in results] == [(True, ""), (False, "unknown_device"), (True, "")]
    assert results[1]["fingerprint"] and "Rejected" in merged.stderr
    news = tmp_path / "news.jsonl"
    _ok(cb("export", "--vault", str(hub), "--purpose", "newsletter", "--format", "jsonl", "--out", str(news)))
    assert [json.loads(x)["name"] for x in news.read_text(encoding="utf-8").splitlines()] == ["李娜"]
    report = _ok(cb("verify-ledger", "--vault", str(hub)))
    assert "the details of 2 people match" in report.stdout
    devices = json.loads(_ok(cb("devices", "--vault", str(hub))).stdout)
    assert sorted(d["trusted_by"] for d in devices) == ["root", "root", "root"]  # hub, A, B


def _forge_consent_on(stranger: Path, lead_id: str) -> None:
    """With its own vault open (it holds the passphrase), the stranger signs a consent event about
    someone else's lead (tests/unit/test_trust.py shows the same forgery in detail)."""
    from consentbooth.services.booth import Booth
    from tests.e2e.conftest import PASS
    from tests.unit.test_trust import _forge_consent

    booth = Booth.unlock(stranger, PASS)
    try:
        _forge_consent(booth, lead_id=lead_id, granted=["newsletter"])
    finally:
        booth.lock()


def _record(pdf: bytes) -> dict:
    reader = PdfReader(io.BytesIO(pdf))
    return json.loads(reader.attachments["consent-record.json"][0])


def test_a_forged_certificate_is_never_valid_and_the_genuine_one_is(vault: Path, tmp_path: Path) -> None:
    person = _capture(vault, tmp_path, ZH_LEAD, ["sales_contact"])
    genuine = tmp_path / "genuine.pdf"
    _ok(cb("certificate", "--vault", str(vault), "--lead", person["lead_id"], "--out", str(genuine)))
    root = tmp_path / "root.pem"
    _ok(cb("root", "--vault", str(vault), "--export", str(root)))

    record = _record(genuine.read_bytes())
    for purpose in record["purposes"]:  # the forger's claim: every purpose granted
        purpose["status"] = "granted"
    record["granted_purposes"] = [p["code"] for p in record["purposes"]]
    forger = create_self_signed(record["controller"]["name"])  # own key, the organisation's name
    record["trust"]["root_fingerprint"] = pki.fingerprint(forger.cert_pem)  # and its own root
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(issue_certificate_pdf(record=record, signature_png=None, identity=forger))

    alone = cb("verify", str(forged), passphrase=None)
    assert alone.returncode == 3 and "SIGNER NOT ESTABLISHED" in alone.stdout and "VALID:" not in alone.stdout
    against = cb("verify", str(forged), "--trust", str(root), passphrase=None)
    assert against.returncode == 1 and against.stdout.startswith("NOT VALID")
    good = cb("verify", str(genuine), "--trust", str(root), "--json", passphrase=None)
    assert good.returncode == 0 and json.loads(good.stdout)["outcome"] == "valid"
    fingerprint = json.loads(_ok(cb("root", "--vault", str(vault))).stdout)["fingerprint"]
    assert json.loads(good.stdout)["root_fingerprint"] == fingerprint

    if not (shutil.which("certutil") and shutil.which("pdfsig")):
        pytest.skip("pdfsig/certutil missing: apt-get install poppler-utils libnss3-tools")
    db = tmp_path / "nss"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "org", "-t", "CT,C,C", "-i", str(root)], check=True)
    seen = subprocess.run(["pdfsig", "-nssdir", f"sql:{db}", str(genuine)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in seen and "Certificate is Trusted" in seen, seen
    fake = subprocess.run(["pdfsig", "-nssdir", f"sql:{db}", str(forged)], capture_output=True, text=True).stdout
    assert "Certificate is Trusted" not in fake
