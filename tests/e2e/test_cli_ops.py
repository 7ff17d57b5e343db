"""Ops scripts: export, suppression, keygen, bundle, merge, certificates and verify, via the CLI."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from tests.e2e.conftest import cb
from tests.helpers import ZH_LEAD


def _capture(vault: Path, tmp_path: Path, purposes: list[str]) -> dict:
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"fields": ZH_LEAD, "purposes": purposes}, ensure_ascii=False), encoding="utf-8")
    out = cb("capture", "--vault", str(vault), "--input", str(lead))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_export_suppression_bundle_merge(vault: Path, tmp_path: Path) -> None:
    a = _capture(vault, tmp_path, ["sales_contact", "newsletter"])
    b = _capture(vault, tmp_path, ["newsletter"])
    assert a["certificate_id"]
    cb("withdraw", "--vault", str(vault), "--lead", b["lead_id"], "--purpose", "newsletter")
    out = tmp_path / "sf.csv"
    e = cb("export", "--vault", str(vault), "--purpose", "sales_contact", "--format", "csv",
           "--preset", "salesforce", "--out", str(out), "--recipient", "Sales")
    assert e.returncode == 0, e.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and "张" in json.dumps(rows[0], ensure_ascii=False)
    s = cb("suppression", "--vault", str(vault), "--hashed", "--out", str(tmp_path / "s.csv"))
    assert json.loads(s.stdout)["rows"] == 1
    log = json.loads(cb("sharing-log", "--vault", str(vault)).stdout)
    assert [x["kind"] for x in log] == ["suppression:hashed", "export:salesforce"]

    key = tmp_path / "ops.key"
    public = cb("keygen-ops", "--out", str(key), passphrase=None).stdout.strip()
    assert public.startswith("age1") and (key.stat().st_mode & 0o077) == 0
    bundle = tmp_path / "laptop.age"
    assert cb("bundle", "--vault", str(vault), "--recipient", public, "--out", str(bundle)).returncode == 0
    hub = tmp_path / "hub.cbvault"
    # a hub made by merge is an organisation of its own: it does not know this laptop yet
    refused = cb("merge", "--hub", str(hub), "--identity", str(key), str(bundle))
    assert refused.returncode == 1
    [unknown] = json.loads(refused.stdout)
    assert unknown["code"] == "unknown_device" and unknown["fingerprint"] in refused.stderr
    m = cb("merge", "--hub", str(hub), "--identity", str(key), "--approve-device", unknown["fingerprint"],
           str(bundle))
    assert m.returncode == 0, m.stderr
    assert json.loads(m.stdout)[0]["new"] == 2
    again = json.loads(cb("merge", "--hub", str(hub), "--identity", str(key), str(bundle)).stdout)
    assert again[0]["new"] == 0 and again[0]["ledger_events"] == 0
    broken = tmp_path / "broken.age"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 3] ^= 1
    broken.write_bytes(bytes(data))
    bad = cb("merge", "--hub", str(hub), "--identity", str(key), str(broken))
    assert bad.returncode == 1 and "Rejected" in bad.stderr
    rejected = json.loads(bad.stdout)[0]
    assert rejected["code"] == "damaged"  # a stable code, and the reason in English
    assert rejected["reason"].startswith("The bundle is damaged") and rejected["reason"] in bad.stderr
    hub_export = tmp_path / "hub.jsonl"
    cb("export", "--vault", str(hub), "--purpose", "sales_contact", "--format", "jsonl", "--out", str(hub_export))
    assert [json.loads(x)["lead_id"] for x in hub_export.read_text().splitlines()] == [a["lead_id"]]


def test_certificates_and_verify(vault: Path, tmp_path: Path) -> None:
    a = _capture(vault, tmp_path, ["sales_contact"])
    pdf = tmp_path / "c.pdf"
    assert cb("certificate", "--vault", str(vault), "--lead", a["lead_id"], "--out", str(pdf)).returncode == 0
    v = cb("verify", str(pdf), passphrase=None)  # no trust anchor: intact, signer not established
    assert v.returncode == 3 and v.stdout.startswith("INTACT") and "VALID:" not in v.stdout
    root = tmp_path / "root.pem"
    assert cb("root", "--vault", str(vault), "--export", str(root)).returncode == 0
    trusted = cb("verify", str(pdf), "--trust", str(root), passphrase=None)
    assert trusted.returncode == 0 and trusted.stdout.startswith("VALID"), trusted.stdout
    v2 = cb("verify", str(pdf), "--vault", str(vault))
    assert v2.returncode == 0 and "[ok] ledger" in v2.stdout
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x20
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(bytes(data))
    t = cb("verify", str(tampered), passphrase=None)
    assert t.returncode == 1 and t.stdout.startswith("NOT VALID") and "[FAIL]" in t.stdout
    assert "无效" not in t.stdout and "签名" not in t.stdout  # the CLI speaks English
    z = tmp_path / "event.zip"
    r = cb("certificates", "--vault", str(vault), "--out", str(z))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(z) as zf:
        assert len(zf.namelist()) == 1
