"""The rest of the PIPL lifecycle through the command line (issue #16), in a real process."""

from __future__ import annotations

import json
from pathlib import Path

from consentbooth.services.booth import Booth
from consentbooth.vault import ledger
from tests.e2e.conftest import PASS, cb

ANSWERS = {
    "scope": "Name, company and email given to the distributor for regional sales.",
    "lawfulness": "Separate consent (Art. 23).",
    "rights_impact": "Unwanted sales contact.",
    "security_risk": "Leak in transfer: low likelihood.",
    "measures": "Encrypted transfer, contract.",
    "conclusion": "Acceptable.",
}


def purposes(vault: Path) -> dict[str, dict]:
    result = cb("purposes", "--vault", str(vault))
    assert result.returncode == 0, result.stderr
    return {p["code"]: p for p in json.loads(result.stdout)}


def test_demo_lists_purposes_with_their_assessment(vault: Path) -> None:
    listed = purposes(vault)
    assert listed["partner_sharing"]["needs_assessment"] == ["third_party"]
    assert listed["cross_border"]["needs_assessment"] == ["third_party", "cross_border"]
    assert listed["partner_sharing"]["assessment"]  # the demo's own assessment
    assert listed["sales_contact"]["needs_assessment"] == [] and listed["sales_contact"]["assessment"] is None
    stopped = cb("purposes", "--vault", str(vault), "--stop", "partner_sharing")
    assert stopped.returncode == 0, stopped.stderr
    assert purposes(vault)["partner_sharing"]["offered"] is False


def unassessed_vault(path: Path) -> Path:
    """A configured vault whose sharing purposes (recipients named) are off, with no assessment."""
    from dataclasses import replace

    from consentbooth.services import Booth
    from consentbooth.services.setup import demo_setup

    setup = demo_setup()
    setup["purposes"] = [replace(p, enabled=not p.assessment_reasons()) for p in setup["purposes"]]
    setup["assessments"] = ()
    booth = Booth.create(path, PASS, organisation_name="Example")
    booth.configure(**setup)
    booth.lock()
    return path


def test_cli_refuses_offering_without_assessment_then_offers_after_one(tmp_path: Path) -> None:
    vault = unassessed_vault(tmp_path / "booth.cbvault")
    before = purposes(vault)
    assert before["partner_sharing"]["offered"] is False and before["partner_sharing"]["assessment"] is None

    refused = cb("purposes", "--vault", str(vault), "--offer", "partner_sharing")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("Error: “") and "impact assessment" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert purposes(vault)["partner_sharing"]["offered"] is False  # nothing saved

    answers = tmp_path / "pia.json"
    answers.write_text(json.dumps({**ANSWERS, "measures": ""}), encoding="utf-8")
    incomplete = cb("assessment", "--vault", str(vault), "--purposes", "partner_sharing",
                    "--answers", str(answers), "--risk", "low", "--approver", "Li Na")
    assert incomplete.returncode == 2
    assert incomplete.stderr.strip() == (
        "Error: Answer “Protective measures and their effectiveness” in the impact assessment.")
    assert json.loads(cb("assessments", "--vault", str(vault)).stdout) == []

    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    recorded = cb("assessment", "--vault", str(vault), "--purposes", "partner_sharing",
                  "--answers", str(answers), "--risk", "low", "--approver", "Li Na",
                  "--approved-on", "2026-03-01", "--operator", "WF")
    assert recorded.returncode == 0, recorded.stderr
    assessment = json.loads(recorded.stdout)
    assert assessment["keep_until"] == "2029-03-01" and assessment["answers"] == ANSWERS

    offered = cb("purposes", "--vault", str(vault), "--offer", "partner_sharing")
    assert offered.returncode == 0, offered.stderr
    after = {p["code"]: p for p in json.loads(offered.stdout)}
    assert after["partner_sharing"]["offered"] is True
    assert after["partner_sharing"]["assessment"] == assessment["id"]
    # the one for cross-border transfer is still refused: this assessment does not cover it
    still = cb("purposes", "--vault", str(vault), "--offer", "cross_border")
    assert still.returncode == 2 and "impact assessment" in still.stderr
    [listed] = json.loads(cb("assessments", "--vault", str(vault)).stdout)
    assert listed["id"] == assessment["id"] and listed["approver"] == "Li Na"
    verified = cb("assessments", "--vault", str(vault), "--verify")
    assert verified.returncode == 0 and json.loads(verified.stdout) == {"ok": True, "checked": 1, "problem": None}


PARTNER_LIST = ("Name,E-mail,Firma\nZhou Min 周敏,zhou.min@partner.example,Partner Co\n"
                "Karl Weber,karl@weber.example,Weber AG\n")


def test_import_list_needs_proof_grants_only_what_it_covers_and_logs_the_notice(vault: Path, tmp_path: Path) -> None:
    listing = tmp_path / "partner.csv"
    listing.write_text(PARTNER_LIST, encoding="utf-8")
    proof = tmp_path / "contract.pdf"
    proof.write_bytes(b"%PDF-1.4 the partner's consent evidence\n")
    common = ["--vault", str(vault), "--purposes", "product_info", "--map", "name=Name,email=E-mail,company=Firma",
              "--source", "Partner X"]

    refused = cb("import-list", str(listing), *common)
    assert refused.returncode == 2 and refused.stdout == "" and "Traceback" not in refused.stderr
    assert "only with the proof of authorisation" in refused.stderr
    missing = cb("import-list", str(listing), *common[:-4], "--map", "name=Name,email=Mail", "--source", "Partner X",
                 "--proof", str(proof))
    assert missing.returncode == 2 and "The list has no column “Mail”" in missing.stderr
    assert json.loads(cb("third-party", "--vault", str(vault)).stdout) == []

    done = cb("import-list", str(listing), *common, "--proof", str(proof))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["people"] == 2 and result["purposes"] == ["product_info"]

    exported = tmp_path / "newsletter.csv"
    ran = cb("export", "--vault", str(vault), "--purpose", "newsletter", "--out", str(exported))
    assert ran.returncode == 0, ran.stderr
    text = exported.read_text(encoding="utf-8-sig")
    assert "partner.example" not in text and "weber.example" not in text and "Partner X" not in text
    covered = tmp_path / "product_info.csv"
    assert cb("export", "--vault", str(vault), "--purpose", "product_info", "--out", str(covered)).returncode == 0
    rows = [line for line in covered.read_text(encoding="utf-8-sig").splitlines() if "Partner X" in line]
    assert len(rows) == 2 and all(result["proof_sha256"] in line for line in rows)

    notice_text, notice_pdf = tmp_path / "notice.txt", tmp_path / "notice.pdf"
    made = cb("third-party-notice", "--vault", str(vault), "--import", result["import"],
              "--text", str(notice_text), "--pdf", str(notice_pdf))
    assert made.returncode == 0, made.stderr
    assert "Partner X" in notice_text.read_text(encoding="utf-8")
    assert notice_pdf.read_bytes().startswith(b"%PDF")
    sent = cb("notice-sent", "--vault", str(vault), "--import", result["import"], "--on", "2026-01-05",
              "--operator", "WF")
    assert sent.returncode == 0, sent.stderr
    [listed] = json.loads(cb("third-party", "--vault", str(vault)).stdout)
    assert listed["notices_sent"] == [{"on": "2026-01-05", "channel": "email", "operator": "WF"}]
    assert listed["proof_sha256"] == result["proof_sha256"] and listed["source"] == "Partner X"


def test_cli_capture_names_material_and_withdraw_records_takedown(vault: Path, tmp_path: Path) -> None:
    material = {"title": "Case study: Acme 案例", "description": "Interview and two booth photos"}
    places = ["https://example.com/cases/acme", "Brochure 2026 p. 4"]
    document = tmp_path / "capture.json"
    document.write_text(json.dumps({"fields": {"name": "周敏", "company": "Acme", "phone": "13800000021"},
                                    "purposes": ["case_study"], "publication": material}), encoding="utf-8")
    done = cb("capture", "--vault", str(vault), "--input", str(document))
    assert done.returncode == 0, done.stderr
    lead = json.loads(done.stdout)["lead_id"]
    withdrawn = cb("withdraw", "--vault", str(vault), "--lead", lead, "--purpose", "case_study",
                   "--takedown", places[0], "--takedown", places[1])
    assert withdrawn.returncode == 0, withdrawn.stderr
    booth = Booth.unlock(vault, PASS)
    try:
        [_capture, withdrawal] = ledger.entries(booth.vault, lead_id=lead)
        assert _capture.event.extra["publication"] == material
        assert withdrawal.event.extra["takedown"] == places
    finally:
        booth.lock()
