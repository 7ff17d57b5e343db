"""Keys, canonical JSON (RFC 8785), signatures and the organisation's certificate."""
