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


#: Attributes that lead out of the restricted builtins without a dunder: a running generator's frame reaches its
#: caller's frames and their real globals (``g.gi_frame.f_back.f_globals``), a traceback reaches frames too, and
#: ``str.format`` walks attributes by name inside its format string ("{0.__class__}"), where no check sees them.
ESCAPE_ATTRIBUTES = frozenset({
    "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code", "ag_await",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next", "format", "format_map",
    "mro",
})


def forbidden_syntax(source: str, mode: str) -> str | None:
    """Reject constructs a designer's code has no business using: imports, private or dunder attributes and
    names, and the attributes (frames, tracebacks, ``str.format``) that lead out of the restricted builtins."""
    tree = ast.parse(source, mode=mode)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return "no se permiten import en scripts ni expresiones"
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr in ESCAPE_ATTRIBUTES):
            return f"no se permite acceder a atributos internos ({node.attr})"
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            return f"no se permite usar nombres internos ({node.id})"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("__"):
            return f"no se permite usar nombres internos ({node.value})"
    return None


PYTHON_BUILTINS = set(dir(builtins))
