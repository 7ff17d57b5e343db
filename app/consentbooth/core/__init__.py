"""Errors, paths, config, i18n, logging. Standard library only (plus platformdirs)."""
