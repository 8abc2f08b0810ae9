"""The comments service keeps a shape a newcomer can read: small modules, classes and
functions, and imports that flow one way (no cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SERVICE = REPO / "comments_service"
MODULE_LINES, CLASS_LINES, FUNCTION_LINES = 400, 300, 50


def modules() -> list[Path]:
    return sorted(SERVICE.rglob("*.py"))


def name_of(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_shape_module_class_and_function_sizes(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MODULE_LINES, f"{path.name}: {len(lines)} lines"
    tree = ast.parse("\n".join(lines))
    for node in ast.walk(tree):
        size = (node.end_lineno or 0) - node.lineno + 1 if hasattr(node, "lineno") else 0
        if isinstance(node, ast.ClassDef):
            assert size <= CLASS_LINES, f"class {node.name}: {size} lines"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert size <= FUNCTION_LINES, f"{node.name}(): {size} lines"


def imports() -> dict[str, set[str]]:
    """Each module of the service and the service's modules it imports (at run time)."""
    graph: dict[str, set[str]] = {}
    for path in modules():
        here = name_of(path)
        package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                if node.level:
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.startswith("comments_service"):
                    found.add(target)
                    found.update(f"{target}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("comments_service"))
        graph[here] = found
    known = set(graph)
    return {module: {t for t in targets if t in known and t != module}
            for module, targets in graph.items()}  # fmt: skip


def test_shape_no_import_cycle():
    graph = imports()
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        path.append(module)
        for target in sorted(graph[module]):
            # A package's __init__ importing its own modules is how a package is made.
            if not target.startswith(module + "."):
                visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
