"""Connecting to the hub's PostgreSQL server: the URL, the password, TLS, and migrations.

The password never comes from the command line or the URL (a URL holding one is refused): libpq
reads ``PGPASSWORD`` or ``~/.pgpass`` itself, and when neither gives one and a terminal is
there, ``ask_password`` is asked once. TLS is whatever the URL says (``sslmode=verify-full`` with
``sslrootcert=`` the server's CA is what docs/hub.md asks for on a network).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from consentbooth.core.errors import UserFacingError
from consentbooth.core.logging import get_logger
from consentbooth.hub.postgres import schema

log = get_logger(__name__)

AskPassword = Callable[[], str] | None


class HubUnavailable(UserFacingError):
    pass


def redacted(url: str) -> str:
    """The URL without any password or query (what logs and messages may show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise UserFacingError("“{url}” is not a PostgreSQL URL (postgresql://user@host/database).",
                              url=url[:60]) from None
    if parts.password is not None:
        raise UserFacingError(
            "Do not put the database password in the URL: it would be seen in the process list and "
            "the shell history. Set PGPASSWORD, use ~/.pgpass, or type it when asked."
        )


def _needs_password(exc: psycopg.OperationalError) -> bool:
    text = str(exc).lower()
    return "no password supplied" in text or "password authentication failed" in text


def connect(url: str, *, ask_password: AskPassword = None, autocommit: bool = True) -> psycopg.Connection:
    """A connection to the hub's database with ``search_path`` set to the hub's schema."""
    check_url(url)
    try:
        conn = psycopg.connect(url, autocommit=autocommit, application_name="consentbooth")
    except psycopg.OperationalError as exc:
        if not (_needs_password(exc) and ask_password is not None):
            raise _unavailable(url, exc) from None
        try:
            conn = psycopg.connect(url, autocommit=autocommit, application_name="consentbooth",
                                   password=ask_password())
        except psycopg.OperationalError as again:
            raise _unavailable(url, again) from None
    except psycopg.ProgrammingError as exc:  # a malformed conninfo
        raise UserFacingError("“{url}” is not a usable PostgreSQL URL: {reason}",
                              url=redacted(url), reason=str(exc).splitlines()[0][:200]) from None
    conn.execute(sql.SQL("SET search_path TO {}, pg_catalog").format(sql.Identifier(schema.SCHEMA)))
    return conn


def _unavailable(url: str, exc: Exception) -> HubUnavailable:
    reason = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else type(exc).__name__
    log.warning("hub database unreachable (%s)", type(exc).__name__)
    return HubUnavailable("Cannot connect to the hub database {url}: {reason}", url=redacted(url), reason=reason)


# -- migrations ---------------------------------------------------------------------------------------

def schema_version(conn: psycopg.Connection) -> int:
    exists = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{schema.SCHEMA}.schema_version",)
    ).fetchone()[0]
    if not exists:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: psycopg.Connection, *, target: int = schema.CURRENT_VERSION) -> tuple[int, int]:
    """Create or upgrade the schema to ``target``, one transaction per migration, holding an
    advisory lock (two ``hub init`` at once: the second waits, then finds nothing to do).
    Returns (version before, version after)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
        ident = sql.Identifier(schema.SCHEMA)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version "
                     "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        before = schema_version(conn)
    if before > schema.CURRENT_VERSION:
        raise UserFacingError(
            "This hub database was made by a newer ConsentBooth (schema {found}); please update the app.",
            found=before,
        )
    version = before
    while version < target:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
            if schema_version(conn) > version:  # another hub init did it meanwhile
                version = schema_version(conn)
                continue
            conn.execute(schema.MIGRATIONS[version])
            version += 1
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
            _grant(conn, version)
        log.info("hub schema migrated to version %d", version)
    return before, version


def _grant(conn: psycopg.Connection, version: int) -> None:
    role = schema.OPS_ROLE
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    for statement in schema.grants(version):
        conn.execute(statement)
    conn.execute(sql.SQL("GRANT SELECT ON {}.schema_version TO {}").format(
        sql.Identifier(schema.SCHEMA), sql.Identifier(role)))


LOCK_MIGRATE = 0x43424D47  # "CBMG"


@contextlib.contextmanager
def transaction(conn: psycopg.Connection):
    with conn.transaction():
        yield conn
