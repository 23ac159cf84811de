"""How the command line speaks: plain text for people, one JSON document with --json, errors in one line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli.wiring import close_databases
from engine.config import Settings
from engine.errors import CauceError, InvalidData, ModelInvalid
from handlers.errors import HandlerInputError

F = TypeVar("F", bound=Callable[..., Any])


def emit(as_json: bool, payload: Any, text: str | Callable[[], str]) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text() if callable(text) else text)


def fail(as_json: bool, message: str, code: int = 1, **extra: Any) -> None:
    if as_json:
        click.echo(json.dumps({"error": message, **extra}, ensure_ascii=False, default=str))
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


def parse_json_option(as_json: bool, raw: str | None, option: str = "--data") -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        fail(as_json, f"{option} no es JSON válido: {exc.msg} (línea {exc.lineno}, columna {exc.colno})", 2)
    if not isinstance(value, dict):
        fail(as_json, f"{option} debe ser un objeto JSON", 2)
    return value


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Salida en JSON.")(func)


def handled(func: F) -> F:
    """Turn every expected error into one clear line and a non-zero exit, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            return func(*args, **kwargs)
        except ModelInvalid as exc:
            problems = [p.as_dict() for p in exc.problems]
            fail(as_json, exc.message if as_json else "\n".join([f"el modelo {exc.model} no es válido:"]
                                                                 + [f"  {p}" for p in exc.problems]),
                 1, problems=problems)
        except InvalidData as exc:
            fail(as_json, exc.message, 1, errors=[e.as_dict() for e in exc.errors], status=exc.status)
        except CauceError as exc:
            fail(as_json, exc.message, 1, status=exc.status)
        except HandlerInputError as exc:
            fail(as_json, str(exc), 1, field=exc.field)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if _debug():
                raise
            fail(as_json, f"error interno ({type(exc).__name__}): {exc}".splitlines()[0], 1)
        finally:
            close_databases()

    return wrapper  # type: ignore[return-value]


def _debug() -> bool:
    try:
        return Settings.from_env().debug
    except ValueError:  # the error being reported may be a bad setting itself: report it, do not raise again
        return False
