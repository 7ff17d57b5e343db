"""Small building blocks: labelled fields, big buttons, language switch, QR code, signature pad."""
