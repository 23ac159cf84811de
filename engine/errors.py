"""Errors the engine raises to its callers. Each carries a plain message fit to show a user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class CauceError(Exception):
    """Base of every error a caller is expected to handle. ``status`` is the matching HTTP status."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CauceError):
    status = 404


class Forbidden(CauceError):
    status = 403


class Conflict(CauceError):
    status = 409


class AlreadyCompleted(Conflict):
    def __init__(self, task_id: int, by: str | None, at: datetime | None, status: str = "completed") -> None:
        who = f" por {by}" if by else ""
        when = f" el {at.isoformat(timespec='seconds')}" if at else ""
        verb = "completada" if status == "completed" else "cerrada"
        super().__init__(f"La tarea {task_id} ya fue {verb}{who}{when}.")
        self.task_id = task_id
        self.by = by
        self.at = at


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidData(CauceError):
    """Form or start data that does not satisfy its schema, or that a handler refused."""

    status = 400

    def __init__(self, errors: list[FieldError], message: str = "Los datos enviados no son válidos.") -> None:
        details = "; ".join(f"{e.field}: {e.message}" for e in errors)
        super().__init__(f"{message} {details}".strip())
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    """One reason a model cannot be deployed, pinned to its file, element and line."""

    file: str
    element_id: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element_id:
            where += f" [{self.element_id}]"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "element_id": self.element_id, "line": self.line, "message": self.message}


class ModelInvalid(CauceError):
    status = 422

    def __init__(self, model: str, problems: list[Problem]) -> None:
        super().__init__(f"El modelo {model} tiene {len(problems)} error(es): " + "; ".join(map(str, problems)))
        self.model = model
        self.problems = problems


class StepFailed(CauceError):
    """A handler or script failed: the step was rolled back and an incident records it."""

    status = 409

    def __init__(self, incident_id: int, instance_id: int, element_id: str | None, error: str) -> None:
        super().__init__(
            f"El paso falló en {element_id or 'el proceso'} y se deshizo por completo; "
            f"se registró el incidente {incident_id} en la instancia {instance_id}: {error}"
        )
        self.incident_id = incident_id
        self.instance_id = instance_id
        self.element_id = element_id
        self.error = error
