"""The team hub on PostgreSQL: one throwaway cluster for the session (tests/support/postgres.py),
a fresh database per test. Without PostgreSQL these tests skip with one line, except in CI
(``CI=true``), where a missing server fails them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import (
    OPS_ROLE_PASSWORD,
    PostgresServer,
    find_bindir,
    remove_server,
    start_server,
)

PASS = "Correct-Horse-42!"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    if find_bindir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql); CI must run the hub tests")
        pytest.skip("PostgreSQL server not installed: the PostgreSQL hub tests are skipped")
    server = start_server()
    try:
        yield server
    finally:
        remove_server(server)


class HubDatabase:
    """A fresh database on the test server, set up as a DBA would: an admin role owns it, ops log
    in as their own roles (members of consentbooth_ops), over TLS with verify-full."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.name = server.new_database()
        self.admin_url = server.tcp_url(self.name, "hubadmin")

    def ops_url(self, user: str = "ops1") -> str:
        self.server.add_login(user)
        return self.server.tcp_url(self.name, user)

    def psql(self, sql: str) -> str:
        return self.server.psql(sql, self.name)


@pytest.fixture
def hub_db(pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> HubDatabase:
    monkeypatch.setenv("PGPASSWORD", OPS_ROLE_PASSWORD)
    return HubDatabase(pg_server)
