"""The import graph: arrows point one way (adapters → services → domain/db) and no module imports itself back.

Only imports at module level count (those inside functions are deliberate late bindings, and those under
`TYPE_CHECKING` never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "actions", "integrations")
#: What each layer must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "bot.domain": ("bot.services", "bot.web", "bot.db", "bot.nlu", "actions", "integrations", "rasa", "rasa_sdk",
                   "aiohttp", "sqlalchemy"),
    "bot.db": ("bot.services", "bot.web", "actions", "integrations", "rasa", "rasa_sdk"),
    "bot.services": ("bot.web", "bot.commands", "actions", "integrations", "rasa_sdk"),
    "bot.nlu": ("bot.services", "bot.web", "actions", "integrations"),
    "bot.geo": ("bot.services", "bot.web", "actions", "integrations"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = ROOT / Path(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported at module level; `from package import module` is that module, not the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            modules = {m for m in submodules if _is_module(m)}
            found.update(modules)
            if len(modules) < len(submodules):
                found.add(node.module)  # a name defined in the module (or package) itself
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    return {name: {m for m in _top_level_imports(path) if m in modules and m != name} for name, path in modules.items()}


GRAPH = _graph()


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_arrows_point_one_way(layer: str) -> None:
    wrong = []
    for name in (n for n in GRAPH if n == layer or n.startswith(layer + ".")):
        base = ROOT / Path(*name.split("."))
        source = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
        for imported in _top_level_imports(source):
            if any(imported == f or imported.startswith(f + ".") for f in FORBIDDEN[layer]):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_no_module_imports_itself_back() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target):], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []
