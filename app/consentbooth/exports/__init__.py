"""Exports for marketing ops: CRM files, suppression lists and encrypted transfer bundles.

Pure file formats: plain rows in, files or bytes out. Which leads qualify and how bundles merge
into the hub vault live in ``vault/`` and ``services/``.

* :mod:`.rows` - :class:`ExportRow`, :class:`SuppressionRow`.
* :mod:`.mapping` - the preset file format (TOML), checked line by line.
* :mod:`.layout` - a preset bound to one export (compiled row functions, rejects, name split).
* :mod:`.presets` - the shipped presets (generic, Salesforce, HubSpot, opt-out shapes), files.
* :mod:`.sanitize` - the CSV formula rule (only what a spreadsheet would evaluate), reversible.
* :mod:`.xlsx` - a streaming XLSX writer with typed cells.
* :mod:`.suppression` - suppression columns and the email/phone hashing rule.
* :mod:`.writers` - streaming, atomic CSV / XLSX / JSON Lines writers.
* :mod:`.bundle` - the age-encrypted, signed transfer bundle and ops keys.
"""

from consentbooth.exports.rows import ExportRow, SuppressionRow

__all__ = ["ExportRow", "SuppressionRow"]
