"""Per-module loggers and a rotating file. Log ids and counts, never personal data."""

from __future__ import annotations

import logging
import traceback

from consentbooth.core.paths import ensure_private_dir, log_dir

_configured = False


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    import logging.handlers  # not at import: the GUI shows its unlock screen first

    directory = ensure_private_dir(log_dir())
    handler = logging.handlers.RotatingFileHandler(
        directory / "consentbooth.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("consentbooth")
    root.setLevel(level)
    root.addHandler(handler)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("consentbooth") else "consentbooth." + name)


def log_unexpected(logger: logging.Logger, exc: BaseException) -> None:
    """Log an unexpected error by type and code locations only: its message may quote what
    someone typed, so it never reaches the log file."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
    logger.error("unexpected %s at %s", type(exc).__name__, where or "?")
