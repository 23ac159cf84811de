"""What a designer may name in a model, for the editor's choices: the roles lanes name and the registered handlers.

The lists come from the same places the deploy checks read (``known_roles``'s table, ``handler_parameters``), so
what the editor offers is exactly what validation accepts.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from sqlalchemy import select

from engine.core import EngineCore
from engine.identity import Role
from engine.scripting import Handler, handler_parameters
from engine.views import _Plain


@dataclass(frozen=True)
class ParamInfo(_Plain):
    name: str
    required: bool
    annotation: str  # "" when the handler does not annotate it


@dataclass(frozen=True)
class HandlerInfo(_Plain):
    name: str
    parameters: list[ParamInfo]
    doc: str  # the docstring's first paragraph, "" without one


@dataclass(frozen=True)
class Vocabulary(_Plain):
    roles: list[tuple[str, str]]  # (code, name), by code
    handlers: list[HandlerInfo]  # by name


def vocabulary(engine: EngineCore) -> Vocabulary:
    with engine.db.read() as session:
        roles = [(code, name) for code, name in session.execute(select(Role.code, Role.name).order_by(Role.code))]
    return Vocabulary(roles, [handler_info(name, engine.handlers[name]) for name in sorted(engine.handlers)])


def handler_info(name: str, handler: Handler) -> HandlerInfo:
    names, required = handler_parameters(handler)
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):  # a builtin without a signature: handler_parameters would have failed first
        signature = None
    params = []
    for pname in names:
        annotation = ""
        if signature is not None:
            raw = signature.parameters[pname].annotation
            if raw is not inspect.Parameter.empty:
                annotation = raw if isinstance(raw, str) else getattr(raw, "__name__", str(raw))
        params.append(ParamInfo(pname, pname in required, annotation))
    doc = inspect.getdoc(handler) or ""
    return HandlerInfo(name, params, doc.split("\n\n", 1)[0].replace("\n", " ").strip())
