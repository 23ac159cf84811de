"""Validating what people type into a task's or a start event's form, with messages in Spanish."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from engine.errors import FieldError, InvalidData

_MESSAGES = {
    "required": "Este campo es obligatorio.",
    "type": "Tipo de dato no válido: se esperaba {expected}.",
    "pattern": "El formato no es válido.",
    "enum": "Valor no permitido.",
    "const": "Valor no permitido.",
    "oneOf": "Valor no permitido.",
    "anyOf": "Valor no permitido.",
    "minLength": "Debe tener al menos {value} caracteres.",
    "maxLength": "Debe tener como máximo {value} caracteres.",
    "minimum": "Debe ser mayor o igual a {value}.",
    "maximum": "Debe ser menor o igual a {value}.",
    "exclusiveMinimum": "Debe ser mayor que {value}.",
    "exclusiveMaximum": "Debe ser menor que {value}.",
    "format": "El formato no es válido ({value}).",
    "multipleOf": "Debe ser múltiplo de {value}.",
    "minItems": "Debe tener al menos {value} elementos.",
    "maxItems": "Debe tener como máximo {value} elementos.",
}
_TYPE_NAMES = {"string": "texto", "number": "número", "integer": "número entero", "boolean": "sí/no",
               "object": "objeto", "array": "lista", "null": "vacío"}


def _field_of(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    return ".".join(p for p in path if p) or "(formulario)"


def _message_of(error: ValidationError) -> str:
    template = _MESSAGES.get(str(error.validator), "Valor no válido.")
    value = error.validator_value
    if error.validator == "type":
        expected = value if isinstance(value, list) else [value]
        return template.format(expected=" o ".join(_TYPE_NAMES.get(str(t), str(t)) for t in expected))
    return template.format(value=value)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def validate_form(schema: dict[str, Any] | None, data: Any,
                  validator: Draft202012Validator | None = None) -> dict[str, Any]:
    """Return the accepted data or raise InvalidData naming every field at fault.

    Only the form's own fields are accepted: a form cannot be used to overwrite other process data. A field
    left empty is there as None, so an expression may ask whether an optional field was filled in.
    """
    if not isinstance(data, dict):
        raise InvalidData([FieldError("(formulario)", "Los datos deben ser un objeto JSON.")])
    if schema is None:
        if data:
            raise InvalidData([FieldError(k, "Esta tarea no tiene formulario: campo no permitido.") for k in data])
        return {}
    allowed = set(schema.get("properties", {}))
    errors = [FieldError(k, "Campo no permitido en este formulario.") for k in sorted(data) if k not in allowed]
    # A NUL character cannot be stored in PostgreSQL text and has no business in a form.
    errors += [FieldError(k, "Contiene caracteres no permitidos.") for k in sorted(data) if _has_nul(data[k])]
    read_only = {k for k, v in schema.get("properties", {}).items() if isinstance(v, dict) and v.get("readOnly")}
    errors += [FieldError(k, "Campo de solo lectura.") for k in sorted(read_only & set(data))]
    validator = validator or Draft202012Validator(schema, format_checker=FormatChecker())
    for error in sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        if error.validator == "additionalProperties" and not error.absolute_path:
            continue  # already reported above, naming each field not in the form
        field = _field_of(error)
        if field in {e.field for e in errors}:
            continue
        errors.append(FieldError(field, _message_of(error)))
    if errors:
        raise InvalidData(errors)
    return {**dict.fromkeys(sorted(allowed - read_only)), **data}
