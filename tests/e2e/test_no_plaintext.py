"""No plaintext at rest: canaries captured, withdrawn and erased never appear outside the vault."""

from __future__ import annotations

from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest

CANARY_LATIN = "CANARY-7f3a"
CANARY_ZH = "金丝雀七三"
CANARY_PHONE = "13811117373"


def _scan(paths: list[Path], needles: list[bytes]) -> list[str]:
    hits = []
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            hits.extend(f"{path}: {n!r}" for n in needles if n in data)
    return hits


def test_thousand_canary_leads_leave_no_plaintext(tmp_path: Path, run_dir: Path, passphrase: str) -> None:
    vault_path = tmp_path / "canary.cbvault"
    booth = Booth.create(vault_path, passphrase, demo=True)
    ids = []
    for i in range(1000):
        result = booth.capture(
            CaptureRequest(
                fields={
                    "name": f"{CANARY_ZH}{chr(0x4E00 + i)}",
                    "company": f"{CANARY_LATIN} Works {i}",
                    "email": f"canary{i}.{CANARY_LATIN.lower()}@example.com",
                    "phone": CANARY_PHONE,
                    "notes": f"{CANARY_LATIN} note",
                },
                purposes=["sales_contact", "newsletter"],
            )
        )
        ids.append(result.lead_id)
    for lead in ids[:50]:
        booth.withdraw(lead_id=lead, purposes=["newsletter"], channel="email")
    booth.erase(lead_id=ids[0])
    assert len(booth.search(CANARY_ZH, limit=2000)) == 999
    needles = [
        CANARY_LATIN.encode(), CANARY_LATIN.lower().encode(), CANARY_ZH.encode("utf-8"),
        CANARY_ZH.encode("utf-16-le"), CANARY_PHONE.encode(), b"8613811117373",
    ]
    # While open (WAL and SHM present) and after closing.
    open_files = [vault_path, *vault_path.parent.glob(vault_path.name + "-*")]
    scanned = (
        open_files
        + list((run_dir / "tmp").rglob("*"))
        + list((run_dir / "logs").rglob("*"))
        + list((run_dir / "config").rglob("*"))
    )
    assert _scan(scanned, needles) == []
    booth.lock()
    after = [vault_path, *vault_path.parent.glob(vault_path.name + "*")]
    assert _scan(after + list((run_dir / "tmp").rglob("*")) + list((run_dir / "logs").rglob("*")), needles) == []
    assert any((run_dir / "logs").rglob("*.log"))  # the log exists and was scanned
