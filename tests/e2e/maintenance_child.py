"""Child process for maintenance tests: captures every 100 ms through the services API and prints
each lead id after the call returned (acknowledged). Stops when its stdin closes."""

from __future__ import annotations

import os
import select
import sys
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest


def main(path: Path, interval: float) -> None:
    booth = Booth.unlock(path, os.environ["CONSENTBOOTH_PASSPHRASE"])
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    i = 0
    try:
        while not select.select([sys.stdin], [], [], interval)[0]:
            i += 1
            result = booth.capture(
                CaptureRequest(
                    fields={"name": "维护测试", "company": f"Maintenance {i}", "phone": "13800138000"},
                    purposes=["sales_contact"],
                )
            )
            sys.stdout.write(f"{result.lead_id}\n")
            sys.stdout.flush()
    finally:
        booth.lock()


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.1)
