"""Developer tooling that is not part of the shipped app (run from the repository root)."""
