"""A JSON-schema form (plus its RJSF-style UI schema) as plain fields the Jinja macros in forms/ draw.

Supported: text, long text (``ui:widget: textarea`` or ``maxLength`` > 200), number and integer, money
(``format: money`` or ``ui:widget: money``), date (``format: date``), choices (``enum`` or ``oneOf`` of
const/title; ``ui:widget: radio`` draws radio buttons), booleans (a checkbox; ``const: true`` means it must be
ticked), files (``format: data-url`` or ``ui:widget: file``: stored as an attachment, the value is its id),
required marks, ``readOnly`` (shown, never submitted), defaults, ``ui:order``, ``ui:help``,
``ui:placeholder``, titles and descriptions. Other kinds (objects, arrays) are shown as unsupported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LONG_TEXT_OVER = 200
FILE_KEEP_SUFFIX = "__adjunto"  # hidden input carrying a file already stored by an earlier, refused submission


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # text textarea number integer money date select radio checkbox file unsupported
    label: str
    description: str | None
    help: str | None
    placeholder: str | None
    required: bool
    read_only: bool
    value: str  # what the control shows
    checked: bool
    options: tuple[Option, ...]
    must_tick: bool
    error: str | None
    minimum: Any = None
    maximum: Any = None
    max_length: int | None = None
    rows: int = 4
    autofocus: bool = False
    kept_file: str | None = None  # attachment id already stored for this file field

    @property
    def dom_id(self) -> str:
        return f"campo-{self.name}"

    @property
    def shown_value(self) -> str:
        """A read-only value as text: the option's label, Sí/No for booleans."""
        if self.kind == "checkbox":
            return "Sí" if self.checked else "No"
        for option in self.options:
            if option.value == self.value:
                return option.label
        return self.value


@dataclass(frozen=True)
class RenderedForm:
    title: str | None
    description: str | None
    fields: tuple[FormField, ...]
    errors: tuple[str, ...]  # messages not tied to one field of the form

    @property
    def has_files(self) -> bool:
        return any(f.kind == "file" and not f.read_only for f in self.fields)


def mapping_at(container: Mapping[str, Any], key: str) -> dict[str, Any]:
    found = container.get(key)
    return found if isinstance(found, dict) else {}


def main_type(prop: Mapping[str, Any]) -> str | None:
    declared = prop.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    return declared if isinstance(declared, str) else None


def choices(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) of an enum or a oneOf/anyOf of consts, in order."""
    if isinstance(prop.get("enum"), list):
        names = ui.get("ui:enumNames")
        labels = names if isinstance(names, list) and len(names) == len(prop["enum"]) else prop["enum"]
        return [(value, str(label)) for value, label in zip(prop["enum"], labels, strict=True)]
    for key in ("oneOf", "anyOf"):
        options = prop.get(key)
        if isinstance(options, list) and options and all(isinstance(o, dict) and "const" in o for o in options):
            return [(o["const"], str(o.get("title", o["const"]))) for o in options]
    return []


def field_kind(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    widget = ui.get("ui:widget")
    kind = main_type(prop)
    if prop.get("format") == "data-url" or widget == "file":
        return "file"
    if kind == "boolean":
        return "checkbox"
    if choices(prop, ui):
        return "radio" if widget == "radio" else "select"
    if prop.get("format") == "money" or widget == "money":
        return "money"
    if kind in ("number", "integer"):
        return kind
    if kind == "string" or kind is None:
        if prop.get("format") == "date" or widget == "date":
            return "date"
        long_text = isinstance(prop.get("maxLength"), int) and prop["maxLength"] > LONG_TEXT_OVER
        return "textarea" if widget == "textarea" or long_text else "text"
    return "unsupported"


def ordered_names(schema: Mapping[str, Any], ui_schema: Mapping[str, Any]) -> list[str]:
    """The fields in ``ui:order`` order; ``*`` (or the end) stands for the rest, in schema order."""
    names = list((schema.get("properties") or {}).keys())
    order = ui_schema.get("ui:order")
    if not isinstance(order, list):
        return names
    listed = [n for n in order if n in names]
    rest = [n for n in names if n not in listed]
    if "*" in order:
        star = order.index("*")
        before = [n for n in order[:star] if n in names]
        after = [n for n in order[star + 1:] if n in names]
        return before + rest + after
    return listed + rest


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_checked(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("on", "true", "1", "si", "sí"))


def build_form(schema: Mapping[str, Any] | None, ui_schema: Mapping[str, Any] | None,
               values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None) -> RenderedForm:
    """The form's fields with their values (typed data, or the strings a refused POST sent) and errors."""
    schema = schema or {}
    ui_schema = ui_schema or {}
    values = values or {}
    errors = dict(errors or {})
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    fields: list[FormField] = []
    for name in ordered_names(schema, ui_schema):
        prop = mapping_at(properties, name)
        ui = mapping_at(ui_schema, name)
        kind = field_kind(prop, ui)
        value = values[name] if name in values else prop.get("default")
        options = mapping_at(ui, "ui:options")
        kept = values.get(name + FILE_KEEP_SUFFIX) if kind == "file" else None
        fields.append(FormField(
            name=name, kind=kind, label=str(prop.get("title") or name),
            description=prop.get("description"), help=ui.get("ui:help"), placeholder=ui.get("ui:placeholder"),
            required=name in required, read_only=bool(prop.get("readOnly")),
            value=_display(value), checked=_is_checked(value),
            options=tuple(Option(_display(v), label) for v, label in choices(prop, ui)),
            must_tick=kind == "checkbox" and prop.get("const") is True, error=errors.pop(name, None),
            minimum=prop.get("minimum"), maximum=prop.get("maximum"),
            max_length=prop.get("maxLength") if isinstance(prop.get("maxLength"), int) else None,
            rows=int(options.get("rows", 4)) if str(options.get("rows", 4)).isdigit() else 4,
            autofocus=bool(ui.get("ui:autofocus")), kept_file=_display(kept) or None,
        ))
    other = tuple(f"{field}: {message}" if field != "(formulario)" else message for field, message in errors.items())
    return RenderedForm(schema.get("title"), schema.get("description"), tuple(fields), other)
