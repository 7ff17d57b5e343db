"""Child process for crash tests: captures (or re-keys) in a loop, printing after each success."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest


def capture_loop(path: Path) -> None:
    booth = Booth.unlock(path, os.environ["CONSENTBOOTH_PASSPHRASE"])
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    i = 0
    while True:
        i += 1
        result = booth.capture(
            CaptureRequest(
                fields={"name": "崩溃测试", "company": f"Crash {i}", "phone": "13800138000"},
                purposes=["sales_contact"] if i % 3 else ["sales_contact", "newsletter"],
            )
        )
        if i % 5 == 0:
            booth.withdraw(lead_id=result.lead_id, purposes=["sales_contact"], channel="phone")
        sys.stdout.write(f"{result.lead_id}\n")
        sys.stdout.flush()


def rekey_loop(path: Path) -> None:
    a, b = os.environ["CONSENTBOOTH_PASSPHRASE"], os.environ["CONSENTBOOTH_NEW_PASSPHRASE"]
    try:
        booth = Booth.unlock(path, a)
        current, other = a, b
    except Exception:
        booth = Booth.unlock(path, b)
        current, other = b, a
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        booth.change_passphrase(current, other)
        current, other = other, current
        sys.stdout.write(f"now {current}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    mode, vault = sys.argv[1], Path(sys.argv[2])
    capture_loop(vault) if mode == "capture" else rekey_loop(vault)
