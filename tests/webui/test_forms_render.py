"""The JSON-schema form renderer and the parser that turns a POSTed form back into typed JSON."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine.errors import FieldError, InvalidData
from webui.forms_parse import Upload, parse_decimal, parse_form
from webui.forms_render import RenderedForm, build_form, ordered_names

TEMPLATES = Path(__file__).resolve().parents[2] / "webui" / "templates"

SCHEMA: dict[str, Any] = {
    "title": "Todos los campos", "description": "Un formulario de prueba.", "type": "object",
    "required": ["nombre", "acepto", "tipo"],
    "properties": {
        "nombre": {"type": "string", "title": "Nombre", "maxLength": 80},
        "detalle": {"type": "string", "title": "Detalle", "maxLength": 2000},
        "nota": {"type": "string", "title": "Nota"},
        "cantidad": {"type": "integer", "title": "Cantidad", "minimum": 1, "default": 2},
        "tasa": {"type": "number", "title": "Tasa"},
        "valor": {"type": "string", "format": "money", "title": "Valor"},
        "valor_num": {"type": "number", "title": "Valor numérico"},
        "fecha": {"type": "string", "format": "date", "title": "Fecha"},
        "tipo": {"type": "string", "title": "Tipo", "oneOf": [{"const": "a", "title": "Opción A"},
                                                             {"const": "b", "title": "Opción B"}]},
        "nivel": {"type": "integer", "title": "Nivel", "enum": [1, 2, 3]},
        "acepto": {"type": "boolean", "const": True, "title": "Acepto"},
        "urgente": {"type": "boolean", "title": "Urgente"},
        "soporte": {"type": "string", "format": "data-url", "title": "Soporte"},
        "codigo": {"type": "string", "title": "Código", "readOnly": True},
    },
}
UI: dict[str, Any] = {
    "ui:order": ["tipo", "nombre", "*", "codigo"],
    "nota": {"ui:widget": "textarea", "ui:help": "Opcional.", "ui:options": {"rows": 2}},
    "nombre": {"ui:placeholder": "Nombre completo", "ui:autofocus": True},
    "valor_num": {"ui:widget": "money"},
    "tipo": {"ui:widget": "radio"},
}


def _render(form: RenderedForm) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    macro = env.get_template("forms/fields.html").module.form_fields  # type: ignore[attr-defined]
    return str(macro(form))


def test_each_field_type_gets_its_control() -> None:
    form = build_form(SCHEMA, UI, {"codigo": "X-1"})
    kinds = {f.name: f.kind for f in form.fields}
    assert kinds == {"tipo": "radio", "nombre": "text", "detalle": "textarea", "nota": "textarea",
                     "cantidad": "integer", "tasa": "number", "valor": "money", "valor_num": "money",
                     "fecha": "date", "nivel": "select", "acepto": "checkbox", "urgente": "checkbox",
                     "soporte": "file", "codigo": "text"}
    assert [f.name for f in form.fields][:2] == ["tipo", "nombre"] and form.fields[-1].name == "codigo"
    assert form.has_files
    html = _render(form)
    assert 'type="radio" name="tipo" value="a"' in html and "Opción B" in html
    assert 'name="nombre" value="" type="text" maxlength="80" placeholder="Nombre completo" required' in html
    assert '<textarea id="campo-detalle" name="detalle" rows="4" maxlength="2000"' in html
    assert '<textarea id="campo-nota" name="nota" rows="2"' in html and "Opcional." in html
    assert 'name="cantidad" value="2" type="number" step="1" min="1"' in html  # the default
    assert 'name="tasa" value="" type="number" step="any"' in html
    assert 'name="valor" value="" type="text" inputmode="decimal" class="money"' in html
    assert 'name="fecha" value="" type="date"' in html
    assert '<option value="2">2</option>' in html
    assert 'type="checkbox" id="campo-acepto" name="acepto" value="true" required' in html
    assert 'type="file" id="campo-soporte" name="soporte"' in html
    assert 'Nombre <span class="req" title="Obligatorio">*</span>' in html
    assert '<div class="readonly-value" id="campo-codigo">X-1</div>' in html and 'name="codigo"' not in html
    assert "Un formulario de prueba." in html


def test_errors_show_beside_their_field_and_values_are_kept() -> None:
    form = build_form(SCHEMA, UI, {"nombre": "<b>Ana</b>", "tipo": "b", "urgente": True},
                      {"nombre": "Debe tener como máximo 80 caracteres.", "(formulario)": "Revise el formulario."})
    html = _render(form)
    assert 'value="&lt;b&gt;Ana&lt;/b&gt;"' in html
    assert 'aria-invalid="true"' in html and "Debe tener como máximo 80 caracteres." in html
    assert 'value="b" checked' in html and 'name="urgente" value="true" checked' in html
    assert form.errors == ("Revise el formulario.",)


def test_ui_order_without_wildcard_appends_the_rest() -> None:
    assert ordered_names({"properties": {"a": {}, "b": {}, "c": {}}}, {"ui:order": ["c"]}) == ["c", "a", "b"]


def test_each_field_type_parses_back_to_typed_json() -> None:
    stored: list[Upload] = []

    def store(upload: Upload) -> int:
        stored.append(upload)
        return 41

    posted = {"nombre": " Ana ", "detalle": "", "cantidad": "3", "tasa": "1,5", "valor": "$ 1.752.770,00",
              "valor_num": "150.000", "fecha": "2026-11-23", "tipo": "a", "nivel": "2", "acepto": "true",
              "codigo": "intruso", "csrf_token": "x", "otro": "y"}
    parsed = parse_form(SCHEMA, UI, posted, {"soporte": Upload("s.pdf", "application/pdf", b"%PDF-")}, store)
    assert parsed.errors == []
    assert parsed.data == {"nombre": "Ana", "cantidad": 3, "tasa": 1.5, "valor": "1752770.00", "valor_num": 150000,
                           "fecha": "2026-11-23", "tipo": "a", "nivel": 2, "acepto": True, "urgente": False,
                           "soporte": "41"}
    assert stored[0].filename == "s.pdf" and parsed.shown["soporte__adjunto"] == 41


def test_unticked_must_tick_box_and_empty_inputs_are_absent() -> None:
    parsed = parse_form(SCHEMA, UI, {"nombre": "   ", "urgente": ""})
    assert parsed.data == {"urgente": False}


def test_unreadable_values_are_field_errors() -> None:
    parsed = parse_form(SCHEMA, UI, {"cantidad": "2,5", "tasa": "mucho", "valor": "diez", "tipo": "z"})
    assert parsed.errors == [FieldError("cantidad", "Debe ser un número entero."),
                             FieldError("tasa", "Debe ser un número."),
                             FieldError("valor", "Debe ser un valor en pesos, por ejemplo 1.752.770,00."),
                             FieldError("tipo", "Valor no permitido.")]
    assert parsed.shown["tasa"] == "mucho"


def test_a_refused_file_is_reported_on_its_field_and_a_kept_one_must_be_known() -> None:
    def refuse(upload: Upload) -> int:
        raise InvalidData([FieldError("archivo", "Tipo de archivo no permitido.")])

    parsed = parse_form(SCHEMA, UI, {}, {"soporte": Upload("x.exe", "", b"MZ")}, refuse)
    assert parsed.errors == [FieldError("soporte", "Tipo de archivo no permitido.")]
    assert "soporte" not in parse_form(SCHEMA, UI, {"soporte__adjunto": "7"}, known_files={8}).data
    assert parse_form(SCHEMA, UI, {"soporte__adjunto": "8"}, known_files={8}).data["soporte"] == "8"


@pytest.mark.parametrize(("text", "money", "expected"), [
    ("1.752.770,00", True, Decimal("1752770.00")), ("1752770.00", True, Decimal("1752770.00")),
    ("$ 150.000", True, Decimal("150000")), ("1,5", False, Decimal("1.5")), ("-3", False, Decimal("-3")),
    ("1,752,770.50", True, Decimal("1752770.50")),
])
def test_decimals_in_the_ways_people_type_them(text: str, money: bool, expected: Decimal) -> None:
    assert parse_decimal(text, money=money) == expected


def test_not_a_number() -> None:
    with pytest.raises(ValueError):
        parse_decimal("1e5")
