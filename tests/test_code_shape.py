"""Function length across the package: none over 60 lines, none in the request pipeline over 40."""

from __future__ import annotations

import ast
from pathlib import Path

import aiogh_packages

PACKAGE = Path(aiogh_packages.__file__).parent
PIPELINE = ("_pipeline.py", "_transport.py")


def _functions(path: Path) -> list[tuple[str, int]]:
    """Every function of ``path`` as ``(file:line name, length in lines)``, nested ones too."""
    where = path.relative_to(PACKAGE.parent).as_posix()
    return [
        (f"{where}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    ]


def _offenders(paths: list[Path], limit: int) -> list[str]:
    return [
        f"{name} ({length} lines)"
        for path in paths
        for name, length in _functions(path)
        if length > limit
    ]


def test_request_pipeline_functions_are_at_most_40_lines() -> None:
    """No function of the request pipeline (pipeline and transport) is longer than 40 lines."""
    assert _offenders([PACKAGE / name for name in PIPELINE], 40) == []


def test_no_function_in_the_package_is_longer_than_60_lines() -> None:
    """Every function in aiogh_packages/, testing/ and _cli/ included, is at most 60 lines."""
    assert _offenders(sorted(PACKAGE.rglob("*.py")), 60) == []
