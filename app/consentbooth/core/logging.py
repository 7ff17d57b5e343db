"""Per-module loggers and a rotating file. Log ids and counts, never personal data."""

from __future__ import annotations

import contextlib
import logging
import os
import traceback

from consentbooth.core.paths import ensure_private_dir, log_dir

_configured = False


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    # The libraries' own warnings (pyHanko explaining, with a traceback, why a foreign signer
    # does not chain to our root) must not spill onto the CLI's stderr, whose one line is the
    # answer, nor into our log: their messages may quote certificates or values. Our verdicts
    # say what they found, in our words.
    import logging.handlers  # not at import: the GUI shows its unlock screen first

    logging.getLogger().addHandler(logging.NullHandler())

    try:
        directory = ensure_private_dir(log_dir())
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)  # also a folder made by an older version
        handler = _private_handler(logging.handlers)(
            directory / "consentbooth.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        # No log folder (a read-only or full home): run without a log file rather than not at all;
        # whatever the command itself must write reports its own sentence.
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("consentbooth")
    root.setLevel(level)
    root.addHandler(handler)


def _private_handler(handlers):  # type: ignore[no-untyped-def]
    """A RotatingFileHandler whose files are 0600 from birth (rotation renames them, so the
    rotated logs keep it); a log made 0644 by an older version is tightened."""

    class PrivateRotatingFileHandler(handlers.RotatingFileHandler):
        def _open(self):  # type: ignore[no-untyped-def]
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            if hasattr(os, "fchmod"):  # POSIX (Windows has no modes to tighten)
                with contextlib.suppress(OSError):
                    os.fchmod(fd, 0o600)
            return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFileHandler


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("consentbooth") else "consentbooth." + name)


def log_unexpected(logger: logging.Logger, exc: BaseException) -> None:
    """Log an unexpected error by type and code locations only: its message may quote what
    someone typed, so it never reaches the log file."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
    logger.error("unexpected %s at %s", type(exc).__name__, where or "?")
