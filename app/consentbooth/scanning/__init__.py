"""Scanning: barcode and (later) OCR engines behind small adapters, each the only importer of its
library (import-linter enforces it); payload parsers are pure."""
