"""The package's shape, read from its source with ``ast`` (every import, module-level and inside
functions; those under ``if TYPE_CHECKING:`` are not run, so they are left out):

- no import cycles anywhere in ``platformkit``;
- the client (``platformkit.api``) never imports Django;
- a dashboard section imports no other section (they meet through ``platformkit.core``);
- ``platformkit.core`` imports no section (it reaches them through the registry's dotted paths);
- no module imports another module's ``_private`` name.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "platformkit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.relative_to(PACKAGE).parts
}


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _imports(name: str) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for each import statement of module ``name``."""
    path = MODULES[name]
    here = name if _is_package(name) else name.rpartition(".")[0]
    result = []
    for node in _runtime_imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            result.extend((alias.name, []) for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        names = [alias.name for alias in node.names]
        # ``from package import module`` imports that module; other names come from the package.
        submodules = [n for n in names if f"{base}.{n}" in MODULES]
        result.extend((f"{base}.{n}", []) for n in submodules)
        attributes = [n for n in names if n not in submodules]
        if attributes or not submodules:
            result.append((base, attributes))
    return result


def _graph() -> dict[str, set[str]]:
    return {name: {target for target, _ in _imports(name) if target in MODULES and target != name} for name in MODULES}


def test_there_are_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []
    cycles: list[list[str]] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_client_does_not_import_django() -> None:
    offenders = {
        name: target
        for name in MODULES
        if name.startswith("platformkit.api")
        for target, _ in _imports(name)
        if target == "django" or target.startswith("django.")
    }
    assert not offenders


def _section_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[:2] != ["platformkit", "sections"] or len(parts) < 3:
        return None
    # settings' tabs belong to the settings section
    return parts[2]


def test_sections_import_only_core_and_themselves() -> None:
    offenders = []
    for name in MODULES:
        own = _section_of(name)
        for target, _ in _imports(name):
            other = _section_of(target)
            if own is not None and other is not None and other != own:
                offenders.append(f"{name} imports {target}")
            if name.startswith("platformkit.core") and other is not None:
                offenders.append(f"{name} imports {target}")
    assert not offenders, "\n".join(offenders)


def test_no_private_names_cross_modules() -> None:
    offenders = [
        f"{name} imports {target}.{taken}"
        for name in MODULES
        for target, names in _imports(name)
        if target.startswith("platformkit")
        for taken in names
        if taken.startswith("_") and not taken.startswith("__")
    ]
    assert not offenders, "\n".join(offenders)


def test_the_graph_is_read_at_all() -> None:
    """The checks above are only as good as the parsing: known edges must be found."""
    graph = _graph()
    assert "platformkit.core.operations" in graph["platformkit.sections.projects.tasks"]
    assert "platformkit.core.sections" in graph["platformkit.sections.restore_points"]
    assert len(MODULES) > 100
