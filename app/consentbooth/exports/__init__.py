"""Exports for marketing ops: CRM files, suppression lists and encrypted transfer bundles.

Pure file formats: plain rows in, files or bytes out. Which leads qualify and how bundles merge
into the hub vault live in ``vault/`` and ``services/``.

* :mod:`.sanitize` - reversible spreadsheet formula-injection neutralisation.
* :mod:`.rows` - :class:`ExportRow`, :class:`SuppressionRow`.
* :mod:`.presets` - generic / Salesforce / HubSpot columns, name splitting.
* :mod:`.suppression` - suppression columns and the email/phone hashing rule.
* :mod:`.writers` - streaming, atomic CSV / XLSX / JSON Lines writers.
* :mod:`.bundle` - the age-encrypted, signed transfer bundle and ops keys.
"""

from consentbooth.exports.rows import ExportRow, SuppressionRow

__all__ = ["ExportRow", "SuppressionRow"]
