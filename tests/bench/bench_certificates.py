"""Benchmark: one consent certificate vs a bare reportlab page with the same font, text and QR,
and the verification of a chain-signed certificate (the organisation's root as trust anchor,
the printed QR code rendered and decoded as ``consentbooth verify`` does).

Run with ``python -m tests.bench.bench_certificates`` (from the repository root, source root
``app`` on the path) or through the bench runner, which calls ``run()``. Figures are ratios
against a baseline measured in the same run, interleaved, plus the median absolute time.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from consentbooth.certificates import issue_certificate_pdf
from consentbooth.certificates.page import layout_page
from consentbooth.certificates.pdf import render_certificate
from consentbooth.certificates.qr import draw_qr, make_qr_payload, qr_matrix
from consentbooth.certificates.record import record_digest_hex
from consentbooth.certificates.typesetting import FONT_NAME, ensure_font
from consentbooth.certificates.verify import verify_certificate_pdf
from consentbooth.crypto import pki
from tests.unit.certificates import sample

RUNS = 15


def _bare_page(strings: list[str], payload: str) -> bytes:
    """A bare reportlab page: same font, the same strings with drawString, the same QR as rects."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=FONT_NAME)
    canvas.setFont(FONT_NAME, 8)
    x, y = 40.0, A4[1] - 40
    for s in strings:
        canvas.drawString(x, y, s)
        y -= 5
        if y < 40:
            x, y = x + 10, A4[1] - 40
    draw_qr(canvas, qr_matrix(payload), x=A4[0] - 130, y=A4[1] - 130, size=84)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _median_interleaved(funcs: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for func in funcs.values():  # warm-up: font parsing, imports, caches
        func()
    for _ in range(runs):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run() -> dict[str, dict]:
    ensure_font()
    # The organisation's root and its PDF signing key: the signature embeds the chain.
    root = pki.create_root(sample.ORGANISATION.name)
    identity = pki.new_identity(
        root, role="pdf", subject_name="Certificates", organisation_name=sample.ORGANISATION.name
    )
    png = sample.signature_png()
    record = sample.record(signature=png, root_fingerprint=pki.fingerprint(root.cert_pem))
    payload = make_qr_payload(
        certificate_id=record["certificate_id"],
        digest_hex=record_digest_hex(record),
        identity=identity,
    )
    strings = layout_page(record=record, signature_png=png, qr_payload=payload).strings

    def unsigned() -> bytes:
        qr_text = make_qr_payload(
            certificate_id=record["certificate_id"],
            digest_hex=record_digest_hex(record),
            identity=identity,
        )
        return render_certificate(record=record, signature_png=png, qr_payload=qr_text)

    medians = _median_interleaved(
        {
            "baseline": lambda: _bare_page(strings, payload),
            "unsigned": unsigned,
            "signed": lambda: issue_certificate_pdf(
                record=record, signature_png=png, identity=identity
            ),
        },
        RUNS,
    )
    base = medians["baseline"]
    verify_s = _verify_median(
        issue_certificate_pdf(record=record, signature_png=png, identity=identity), root.cert_pem
    )
    return {
        "certificate_unsigned_vs_bare_reportlab": {
            "median_s": medians["unsigned"],
            "baseline_s": base,
            "ratio": medians["unsigned"] / base,
            "target": "<= 1.3",
        },
        "certificate_signed": {
            "median_s": medians["signed"],
            "baseline_s": base,
            "ratio": medians["signed"] / base,
            "target": "report",
        },
        "certificate_verify": {
            "median_s": verify_s,
            "baseline_s": None,
            "ratio": round(verify_s, 3),
            "target": "<= 0.5 s",
        },
    }


def _verify_median(pdf: bytes, root_pem: bytes) -> float:
    """Median seconds of a full verification: PAdES, chain to the root, record, printed QR."""
    import zxingcpp

    def decode(image: object) -> list[str]:
        return [b.text for b in zxingcpp.read_barcodes(image)]

    def verify() -> None:
        report = verify_certificate_pdf(pdf, trust_roots=[root_pem], decode_qr=decode)
        assert report.ok, report.verdict

    verify()  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        verify()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    for name, row in run().items():
        print(
            f"{name:42s} median {row['median_s'] * 1000:7.1f} ms  baseline "
            f"{(row['baseline_s'] or 0) * 1000:7.1f} ms  ratio {row['ratio']:5.2f}  target {row['target']}"
        )
