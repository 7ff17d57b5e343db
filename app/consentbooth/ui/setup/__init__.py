"""First-run setup: vault, organisation, event, purposes, bilingual notice, staff and PIN."""
