"""Build-time list of every module the app's source imports, for the spec and ``--self-check``.

PyInstaller follows imports it can see; this scan makes the list explicit so that (1) the spec
names each of them as a hidden import, whatever dependency another change adds to pyproject.toml,
and (2) the frozen app's ``--self-check`` imports every one of them and fails loudly, naming the
missing module, instead of a booth worker meeting "No module named ..." at the first capture.

Imports under ``if TYPE_CHECKING:`` are skipped (typing only). A name that does not import in
the build environment (a platform-only module such as ``msvcrt`` on Linux, an optional import
inside ``try/except ImportError``) is left out: it is not there to collect.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, *, module_level: bool = False) -> set[str]:
    """The modules ``tree`` imports; ``module_level``: only those imported when it is imported
    (not inside functions)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if module_level and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            # ``from pkg import sub``: ``sub`` may be a module of its own.
            found.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module":
            # ``import_module("consentbooth.ui.console.window")``: the shell's warm-up.
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if not name.startswith(".")}


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):
        return False


def scan(package_dir: Path) -> list[str]:
    """Every importable module named by an import in ``package_dir`` (recursively), sorted."""
    package_dir = Path(package_dir)
    names: set[str] = set()
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir.parent).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        names.add(module)
        names |= _imported(ast.parse(path.read_text(encoding="utf-8"), str(path))) | {package_dir.name}
    return sorted(n for n in names if _importable(n))


def importers(package_dir: Path, prefix: str) -> list[str]:
    """The package's modules that cannot be imported without a module named ``prefix...``: they
    import one when imported, or import such a module of the package (``consentbooth.ui.scanning.
    camera`` and ``.frames`` for ``PySide6.QtMultimedia``), sorted."""
    package_dir = Path(package_dir)
    imported: dict[str, set[str]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir.parent).with_suffix("")
        module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        imported[module] = _imported(ast.parse(path.read_text(encoding="utf-8"), str(path)), module_level=True)
    needing = {m for m, names in imported.items() if any(n.startswith(prefix) for n in names)}
    while True:
        more = {m for m, names in imported.items() if m not in needing and names & needing}
        if not more:
            return sorted(needing)
        needing |= more

