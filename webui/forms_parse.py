"""A POSTed form back into the typed JSON its schema describes, before the engine validates it.

Empty inputs are left out (so "required" speaks for them), numbers become numbers, checkboxes booleans,
choices their schema values, money accepts "$ 1.752.770,00" as well as "1752770.00". Read-only fields and
anything not in the schema are ignored. Files are handed to ``store_file`` (which keeps them as attachments)
and the field's value becomes the attachment id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from engine.errors import FieldError, InvalidData
from webui.forms_render import FILE_KEEP_SUFFIX, choices, field_kind, main_type, mapping_at


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


StoreFile = Callable[[Upload], int]


@dataclass
class ParsedForm:
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    shown: dict[str, Any] = field(default_factory=dict)  # what to show again if the form is refused


def parse_decimal(text: str, money: bool = False) -> Decimal:
    """ "1.752.770,00", "1752770.00", "$ 150.000", "1,5" -> Decimal; ValueError when it is not a number."""
    cleaned = re.sub(r"[\s$\u00a0]", "", text)
    if money:
        cleaned = cleaned.removeprefix("COP")
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".") if cleaned.count(",") == 1 else cleaned.replace(",", "")
    elif cleaned.count(".") > 1 or (money and re.fullmatch(r"-?\d{1,3}\.\d{3}", cleaned)):
        cleaned = cleaned.replace(".", "")  # es_CO thousands: 150.000
    # 24 digits is more than any amount or count a form holds, and keeps Decimal arithmetic exact.
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned) or len(cleaned.replace("-", "").replace(".", "")) > 24:
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _number(value: Decimal, kind: str | None) -> Any:
    """A Decimal as the schema's type: integers when whole, else a float (JSON numbers)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value) if kind in ("number", None) else value


def _typed(name: str, kind: str, prop: Mapping[str, Any], ui: Mapping[str, Any], text: str) -> Any:
    schema_type = main_type(prop)
    if kind == "integer":
        try:
            number = parse_decimal(text)
        except ValueError:
            raise InvalidData([FieldError(name, "Debe ser un número entero.")]) from None
        if number != number.to_integral_value():
            raise InvalidData([FieldError(name, "Debe ser un número entero.")])
        return int(number)
    if kind in ("number", "money"):
        try:
            number = parse_decimal(text, money=kind == "money")
        except ValueError:
            message = "Debe ser un valor en pesos, por ejemplo 1.752.770,00." if kind == "money" \
                else "Debe ser un número."
            raise InvalidData([FieldError(name, message)]) from None
        if kind == "money":
            number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if schema_type == "string":
                return str(number)
        if schema_type == "integer":
            if number != number.to_integral_value():
                raise InvalidData([FieldError(name, "Debe ser un número entero.")])
            return int(number)
        return _number(number, schema_type)
    if kind in ("select", "radio"):
        for value, _label in choices(prop, ui):
            if text == ("true" if value is True else "false" if value is False else str(value)):
                return value
        raise InvalidData([FieldError(name, "Valor no permitido.")])
    return text


def parse_form(schema: Mapping[str, Any] | None, ui_schema: Mapping[str, Any] | None, form: Mapping[str, str],
               uploads: Mapping[str, Upload] | None = None, store_file: StoreFile | None = None,
               known_files: set[int] | None = None) -> ParsedForm:
    """Typed data for ``engine.complete``, the per-field errors found while reading it, and what to show back.

    ``known_files``: attachment ids of the instance; a kept file id (from an earlier refused submission) counts
    only if it is one of them.
    """
    schema = schema or {}
    ui_schema = ui_schema or {}
    uploads = uploads or {}
    result = ParsedForm()
    for name, prop in (schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        ui = mapping_at(ui_schema, name)
        if prop.get("readOnly"):
            continue
        kind = field_kind(prop, ui)
        try:
            if kind == "file":
                _file_field(result, name, prop, uploads.get(name), form.get(name + FILE_KEEP_SUFFIX), store_file,
                            known_files or set())
                continue
            if kind == "checkbox":
                ticked = form.get(name) in ("on", "true", "1")
                result.shown[name] = ticked
                if ticked or prop.get("const") is not True:
                    result.data[name] = ticked
                continue
            if kind == "unsupported":
                continue
            raw = form.get(name)
            text = raw.strip() if isinstance(raw, str) else ""
            result.shown[name] = raw or ""
            if text:
                result.data[name] = _typed(name, kind, prop, ui, text)
        except InvalidData as exc:
            result.errors.extend(FieldError(name, e.message) for e in exc.errors)
    return result


def _file_field(result: ParsedForm, name: str, prop: Mapping[str, Any], upload: Upload | None, kept: str | None,
                store_file: StoreFile | None, known: set[int]) -> None:
    attachment_id: int | None = None
    if upload is not None and upload.filename and store_file is not None:
        attachment_id = store_file(upload)  # InvalidData (type, size) is reported on this field by the caller
    elif kept and kept.isdigit() and int(kept) in known:
        attachment_id = int(kept)
    if attachment_id is None:
        return
    result.shown[name + FILE_KEEP_SUFFIX] = attachment_id
    result.data[name] = attachment_id if main_type(prop) == "integer" else str(attachment_id)
