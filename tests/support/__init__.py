"""Reusable test infrastructure (real services started inside the test run)."""
