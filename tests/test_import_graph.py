"""The package's import graph has no cycle, counting every import: at the top of a module,
inside a function, and under ``if TYPE_CHECKING:`` (a cycle there still ties the modules
together for a reader and for the type checker)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "aircall_async"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The package modules that ``path`` imports, resolved to module names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from . import x" imports the submodule x when there is one, else a name of
            # the module ``base`` itself.
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            named = [m for m in submodules if m in modules]
            targets = named if len(named) == len(submodules) else [base, *named]
        else:
            continue
        found.update(t for t in targets if t in modules and t != name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (the first repeated last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_finder_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_is_read_from_the_package() -> None:
    graph = import_graph()
    assert "aircall_async.resources._base" in graph["aircall_async.resources.calls"]
    assert "aircall_async._transport" in graph["aircall_async.client"]
    assert "aircall_async._transport" in graph["aircall_async.oauth"]


#: Type-only references between two modules that the data itself makes mutual, each
#: with its reason. Nothing else may be added here without one.
ALLOWED = {
    # The API embeds Users in a Number and Numbers in a User; users.py names Number only
    # for the type checker and numbers.py resolves it once both classes exist.
    ("aircall_async.models.users", "aircall_async.models.numbers"),
}


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    for source, target in ALLOWED:
        assert target in graph[source], f"{source} no longer imports {target}: drop it"
        graph[source].discard(target)
    assert find_cycle(graph) is None
