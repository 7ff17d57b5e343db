"""Both hubs implement the whole hub interface, and the ops services reach the vault only through
it (the rules stay one implementation)."""

from __future__ import annotations

import ast
from pathlib import Path

from consentbooth.hub.interface import Hub
from consentbooth.hub.postgres import PostgresHub
from consentbooth.hub.vaulthub import VaultHub
from consentbooth.services.booth import Booth

SERVICES = Path(__file__).resolve().parents[2] / "app" / "consentbooth" / "services"
OPS_SERVICES = ("admission", "certificates", "evidence", "exports", "records", "rights", "transfer", "trust")


def _members() -> set[str]:
    return {name for name in dir(Hub) if not name.startswith("_")} | set(Hub.__annotations__)


def test_both_adapters_have_every_member_of_the_interface() -> None:
    for adapter in (VaultHub, PostgresHub):
        missing = [m for m in _members() if not hasattr(adapter, m) and m not in ("location",)]
        assert missing == [], (adapter.__name__, missing)


def test_a_vault_booth_is_a_hub(booth: Booth) -> None:
    assert isinstance(booth.hub, Hub)
    assert booth.hub.kind == "vault" and booth.hub.location == str(booth.vault.path)


def test_the_ops_services_never_query_the_vault_directly() -> None:
    """No ``ctx.vault`` read or write in the ops use cases' code paths that a PostgreSQL hub runs
    (the laptop-only parts, such as building a bundle or the dashboard, are listed)."""
    laptop_only = {("records", "anonymous_counts"), ("records", "dashboard_stats"),
                   ("transfer", "build_payload"), ("transfer", "create_bundle"), ("trust", "write_device"),
                   ("trust", "ensure_root")}
    found = []
    for module in OPS_SERVICES:
        tree = ast.parse((SERVICES / f"{module}.py").read_text("utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or (module, fn.name) in laptop_only:
                continue
            for node in ast.walk(fn):
                if (isinstance(node, ast.Attribute) and node.attr == "vault"
                        and isinstance(node.value, ast.Name) and node.value.id == "ctx"):
                    found.append(f"{module}.{fn.name}")
    assert found == []
