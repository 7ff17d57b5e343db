"""The barcode decoder (zxing-cpp): the only module that imports it.

Used to read back the QR code printed on a certificate page (verification compares it with the
signed payload), and later by the badge scanner and the camera view.
"""

from __future__ import annotations

from typing import Any


def decode_qr(image: Any) -> list[str]:
    """The texts of every QR code found in ``image`` (a PIL image, a numpy array or a QImage)."""
    import zxingcpp  # on first use: verification and scanning only

    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
