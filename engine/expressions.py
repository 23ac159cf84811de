"""Static checks of the Python expressions and scripts a designer writes into a model."""

from __future__ import annotations

import ast
import builtins


def compile_error(source: str, mode: str) -> str | None:
    """The syntax error of ``source`` in plain words, or None when it compiles."""
    try:
        compile(source, "<modelo>", mode)
    except SyntaxError as exc:
        return f"{exc.msg} (columna {exc.offset})" if exc.offset else exc.msg
    except ValueError as exc:  # e.g. null bytes
        return str(exc)
    return None


def free_names(source: str, mode: str) -> set[str]:
    """Names an expression or script reads without defining them itself."""
    tree = ast.parse(source, mode=mode)
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store | ast.Del) else loaded).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef) and hasattr(node, "name"):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return loaded - bound


def assigned_names(script: str) -> set[str]:
    """Names a script assigns at its top level: they become task data."""
    tree = ast.parse(script, mode="exec")
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def forbidden_syntax(source: str, mode: str) -> str | None:
    """Reject constructs a designer's code has no business using (imports, dunder access)."""
    tree = ast.parse(source, mode=mode)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return "no se permiten import en scripts ni expresiones"
        if isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            return f"no se permite acceder a atributos internos ({node.attr})"
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            return f"no se permite usar nombres internos ({node.id})"
    return None


PYTHON_BUILTINS = set(dir(builtins))
