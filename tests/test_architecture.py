"""The shape of the code, read from its source: the import graph has no circle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("crm", "accounts", "customers", "sales", "marketing", "service", "reports", "security")


def _modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """The project modules ``name`` imports, at the top or inside a function alike."""

    def known(dotted):
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                found.add(known(f"{base}.{alias.name}"))
    return found - {"", name}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_no_module_imports_one_that_imports_it_back():
    # A service starts its app's task by name (crm.enqueue), and helpers two modules share live below both;
    # a circle hides which of the two is the lower layer.
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _circles(graph) == []


def test_the_behaviour_log_module_is_named_by_the_module_enum_not_a_string():
    # crm.scope.Module names every part of the CRM; a typed string ("sale") would file entries nobody finds.
    strings = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            values = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "module"]
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MODULE" for t in node.targets):
                values = [node.value]
            strings += [f"{name}:{v.lineno}" for v in values if isinstance(getattr(v, "value", None), str)]
    assert strings == []
