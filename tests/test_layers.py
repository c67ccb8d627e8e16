"""The package's layers, read from the source with ``ast`` (nothing is imported).

Layers, lowest first (docs/architecture.md): the numba kernels
(``dedup._kernels``); the foundation modules the engine builds on
(``dedup.config``, and the rules ``dedup.recapture`` and ``dedup.spans``);
the algorithms (``dedup._engine``); the public API; the command
(``dedup.cli``, its input/output ``dedup.io`` and report ``dedup.report``,
and ``dedup.__main__``). A module imports only from its own layer or lower
ones, every import counted (those inside functions too) but the ones under
``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "dedup"

KERNELS, FOUNDATION, ENGINE, API, COMMAND = range(5)
NAMES = {KERNELS: "kernels", FOUNDATION: "foundation", ENGINE: "engine", API: "api", COMMAND: "command"}
FOUNDATION_MODULES = {"dedup.config", "dedup.recapture", "dedup.spans"}
COMMAND_MODULES = {"dedup.cli", "dedup.io", "dedup.report", "dedup.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    if module == "dedup._kernels" or module.startswith("dedup._kernels."):
        return KERNELS
    if module in FOUNDATION_MODULES:
        return FOUNDATION
    if module == "dedup._engine" or module.startswith("dedup._engine."):
        return ENGINE
    if module in COMMAND_MODULES or module.startswith("dedup.cli."):
        return COMMAND
    return API


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(tree: ast.AST):
    """Every node but those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            yield from (n for child in node.orelse for n in [child, *_walk(child)])
            continue
        yield node
        yield from _walk(node)


def imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported dedup module, names taken from it, line) of each import in ``module``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "dedup"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "dedup":
                continue
            names = [a.name for a in node.names]
            submodules = [n for n in names if f"{target}.{n}" in MODULES]
            out += [(f"{target}.{n}", [], node.lineno) for n in submodules]
            rest = [n for n in names if n not in submodules]
            if rest or not submodules:
                out.append((target, rest, node.lineno))
    return out


GRAPH = {m: sorted({t for t, _, _ in imports(m) if t in MODULES and t != m}) for m in MODULES}


def test_the_modules_are_found():
    assert {"dedup", "dedup._kernels.shingling", "dedup._engine.clusters", "dedup.documents", "dedup.cli"} <= set(MODULES)
    assert all(t in MODULES for m in MODULES for t, _, _ in imports(m)), "an import names no module of dedup"


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle of ``graph`` (its modules in order, the first repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        if m in path:
            return path[path.index(m):] + [m]
        if m in done:
            return None
        path.append(m)
        for t in graph[m]:
            found = visit(t)
            if found:
                return found
        path.pop()
        done.add(m)
        return None

    return next((c for c in map(visit, graph) if c), None)


def test_find_cycle_finds_one():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None


def test_no_import_cycles():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_go_down(module):
    up = [
        f"line {line}: {target} ({NAMES[layer(target)]})"
        for target, _, line in imports(module)
        if target in MODULES and layer(target) > layer(module)
    ]
    assert not up, f"{module} ({NAMES[layer(module)]}) imports a higher layer: {up}"


def test_kernels_import_only_kernels():
    for module in (m for m in MODULES if layer(m) == KERNELS):
        assert all(layer(t) == KERNELS for t in GRAPH[module]), (module, GRAPH[module])


def test_nothing_imports_the_command():
    for module in (m for m in MODULES if layer(m) != COMMAND):
        assert not [t for t in GRAPH[module] if layer(t) == COMMAND], module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_is_imported_from_another_module(module):
    taken = [
        f"line {line}: {name} from {target}"
        for target, names, line in imports(module)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not taken, f"{module} imports names private to another module: {taken}"
