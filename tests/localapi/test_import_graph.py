"""The local API's modules import each other without cycles, and none reaches into another
platformkit module's private (``_name``) parts.

Every ``import`` is counted, wherever it is: at module level, under ``if TYPE_CHECKING:`` and
inside functions (a function-local import that dodges a cycle is still a cycle)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformkit.localapi

PACKAGE = "platformkit.localapi"
ROOT = Path(platformkit.localapi.__file__).resolve().parent


@dataclass(frozen=True)
class Import:
    importer: str  # the importing module's dotted name
    line: int
    target: str  # the module imported (resolved, absolute)
    names: tuple[str, ...]  # what ``from target import ...`` named; () for ``import target``


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}
    assert found, f"no modules found under {ROOT}"
    return found


def resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name ``from <level dots><module> import ...`` refers to in ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]  # a module's ``.`` is its package
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join(base + ([module] if module else []))


def imports(name: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):  # every level: module, TYPE_CHECKING blocks, functions
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, node.lineno, alias.name, ())
        elif isinstance(node, ast.ImportFrom):
            target = resolve(name, path.name == "__init__.py", node.level, node.module)
            yield Import(name, node.lineno, target, tuple(alias.name for alias in node.names))


def all_imports() -> list[Import]:
    return [found for name, path in modules().items() for found in imports(name, path)]


def graph(known: set[str], found: list[Import]) -> dict[str, dict[str, int]]:
    """Module -> {module of the package it imports: line}. ``from pkg import sub`` imports the
    submodule ``pkg.sub``; importing ``a.b.c`` also runs the packages ``a.b`` on the way, unless
    they enclose the importer (which is then already importing)."""
    edges: dict[str, dict[str, int]] = {name: {} for name in known}
    for item in found:
        targets = {item.target} | {f"{item.target}.{name}" for name in item.names}
        for target in list(targets):
            parts = target.split(".")
            targets |= {".".join(parts[:end]) for end in range(1, len(parts))}
        for target in sorted(targets & known):
            encloses = item.importer == target or item.importer.startswith(target + ".")
            if not encloses:
                edges[item.importer].setdefault(target, item.line)
    return edges


def find_cycle(edges: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None."""
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return path[path.index(child) :] + [child]
            elif child not in done:
                stack.append((child, iter(sorted(edges[child]))))
                path.append(child)
                on_path.add(child)
    return None


def describe(cycle: list[str], edges: dict[str, dict[str, int]]) -> str:
    steps = [f"{a} (line {edges[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return " -> ".join(steps + [cycle[-1]])


def test_the_graph_sees_every_kind_of_import() -> None:
    """The graph is built from all the imports (a check that finds nothing must see them)."""
    found = all_imports()
    edges = graph(set(modules()), found)
    backend = f"{PACKAGE}.backend"
    assert f"{PACKAGE}.branches.service" in edges[backend]  # from .branches.service import Branching
    assert f"{PACKAGE}.instances" in edges[f"{PACKAGE}.branches.service"]  # via instances.manager
    assert f"{PACKAGE}.layout" in edges[f"{PACKAGE}.instances.template"]  # from platformkit.localapi import ...
    function_level = [item for item in found if item.importer == f"{PACKAGE}.sqlrun" and item.target == "pglast"]
    assert function_level, "function-level imports are read too"


def test_the_cycle_finder_reports_a_cycle() -> None:
    edges = {"a": {"b": 3}, "b": {"c": 5}, "c": {"a": 7, "d": 1}, "d": {}}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert describe(["a", "b", "c", "a"], edges) == "a (line 3) -> b (line 5) -> c (line 7) -> a"
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"b": 2}}) is None


def test_no_import_cycles() -> None:
    edges = graph(set(modules()), all_imports())
    cycle = find_cycle(edges)
    assert cycle is None, f"import cycle in {PACKAGE}: {describe(cycle, edges)}"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_private_names_imported_from_other_platformkit_modules() -> None:
    offenders = []
    for item in all_imports():
        if item.target != "platformkit" and not item.target.startswith("platformkit."):
            continue  # a third-party module's internals are its own (and pinned) business
        private = [part for part in item.target.split(".") if is_private(part)]
        private += [name for name in item.names if is_private(name)]
        if private and item.target != item.importer:
            offenders.append(f"{item.importer} line {item.line}: {', '.join(private)} from {item.target}")
    assert not offenders, "private names imported from other modules:\n" + "\n".join(offenders)
