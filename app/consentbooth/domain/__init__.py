"""Plain dataclasses and rules: no I/O, no Qt."""
