"""How models' expressions, scripts and service tasks reach Python: a restricted script engine.

Conditions, parameters and scripts see task data, a small set of safe builtins and the registered handlers.
Handlers are called with the current step's context (its database session, actor, instance), which is
held in a context variable so one script engine can serve every thread.
"""

from __future__ import annotations

import builtins
import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from sqlalchemy import select

from engine.identity import User, UserRole

Handler = Callable[..., Any]

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "int", "isinstance", "len",
    "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
    "True", "False", "None", "ValueError", "KeyError", "Exception",
)
SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
EXTRA_GLOBALS: dict[str, Any] = {"Decimal": Decimal, "date": date, "datetime": datetime, "timedelta": timedelta}


@dataclass
class StepContext:
    """What a handler sees of the step it runs in. Satisfies ``handlers.context.StepContext``."""

    session: Any
    actor: str
    initiator: str | None
    instance_ref: str | None
    now: datetime
    calls: list[dict[str, Any]] = field(default_factory=list)
    failure: BaseException | None = None
    case_number: str | None = None

    def contacts_in_role(self, role: str) -> list[Contact]:
        """The active members of a role with an e-mail address: who to tell of an escalation."""
        rows = self.session.execute(
            select(User.username, User.display_name, User.email).join(UserRole, UserRole.username == User.username)
            .where(UserRole.role == role, User.active.is_(True), User.email.is_not(None)).order_by(User.username))
        return [Contact(*row) for row in rows]

    def contact(self, username: str) -> Contact | None:
        user = self.session.get(User, username)
        return Contact(user.username, user.display_name, user.email) if user is not None else None


@dataclass(frozen=True)
class Contact:
    username: str
    display_name: str
    email: str | None


_current: ContextVar[StepContext | None] = ContextVar("cauce_step", default=None)


@contextmanager
def step_context(ctx: StepContext) -> Iterator[StepContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def handler_parameters(handler: Handler) -> tuple[list[str], list[str]]:
    """(all parameter names, required ones) of a handler, not counting its leading context argument."""
    params = list(inspect.signature(handler).parameters.values())[1:]
    names = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    required = [p.name for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names, required


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json_value(value: Any) -> Any:
    """Make a handler's result plain JSON data (Decimal and dates become strings)."""
    return json.loads(json.dumps(value, default=_json_default))


class CauceScriptEngine(PythonScriptEngine):
    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self.handlers = dict(handlers)
        env_globals: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **EXTRA_GLOBALS}
        env_globals.update({name: self._bound(name) for name in self.handlers})
        super().__init__(environment=TaskDataEnvironment(env_globals))

    @property
    def global_names(self) -> set[str]:
        return set(SAFE_BUILTINS) | set(EXTRA_GLOBALS) | set(self.handlers)

    def _bound(self, name: str) -> Handler:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self.invoke(name, *args, **kwargs)

        call.__name__ = name
        return call

    def invoke(self, name: str, *args: Any, **kwargs: Any) -> Any:
        ctx = _current.get()
        if ctx is None:
            raise RuntimeError(f"handler {name} called outside a step")
        try:
            result = to_json_value(self.handlers[name](ctx, *args, **kwargs))
        except BaseException as exc:
            # Keep the real cause: SpiffWorkflow wraps it (or, for service tasks, replaces it) on the way up.
            ctx.failure = exc
            raise
        ctx.calls.append({"handler": name, "args": to_json_value(list(args)),
                          "params": to_json_value(kwargs), "result": result})
        return result

    def call_service(self, task: Any, operation_name: str, operation_params: dict[str, Any],
                     *args: Any, **kwargs: Any) -> str:
        params = {key: spec["value"] for key, spec in operation_params.items()}
        return json.dumps(self.invoke(operation_name, **params))
