"""Forms built from shared parts, so a part many models use (the common form of every case) is written once.

A JSON schema names the parts it extends with ``"allOf": [{"$ref": "caso.schema.json"}, ...]``: the referenced
files of the same model are merged into one flat object schema (their fields first, in order; ``required``
joined), which is what the validator and the renderer work on. A UI schema names its parts with
``"ui:include": ["caso.uischema.json"]``: their entries come first and their ``ui:order`` precedes its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

UI_INCLUDE = "ui:include"
MAX_DEPTH = 4


class ComposeError(ValueError):
    """A part that is missing, not an object, or included in a cycle."""


def compose_schema(schema: dict[str, Any], files: Mapping[str, str], _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    parts = [item for item in schema.get("allOf", ()) if _is_file_ref(item, files)]
    if not parts:
        return schema
    merged: dict[str, Any] = {"properties": {}, "required": []}
    for item in parts:
        part = compose_schema(_load_part(item["$ref"], files, _seen), files, (*_seen, item["$ref"]))
        _merge_fields(merged, part)
    own = {key: value for key, value in schema.items() if key != "allOf"}
    rest = [item for item in schema.get("allOf", ()) if item not in parts]
    if rest:
        own["allOf"] = rest
    _merge_fields(merged, own)
    return {**own, "properties": merged["properties"], "required": merged["required"]}


def compose_ui_schema(ui: dict[str, Any], files: Mapping[str, str], _seen: tuple[str, ...] = ()) -> dict[str, Any]:
    names = ui.get(UI_INCLUDE)
    if not names:
        return ui
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ComposeError(f"«{UI_INCLUDE}» debe ser una lista de nombres de archivo")
    merged: dict[str, Any] = {}
    base: list[str] = []
    for name in names:
        part = compose_ui_schema(_load_part(name, files, _seen), files, (*_seen, name))
        base += [n for n in part.get("ui:order", ()) if n not in base]
        merged.update({k: v for k, v in part.items() if k != "ui:order"})
    merged.update({k: v for k, v in ui.items() if k not in (UI_INCLUDE, "ui:order")})
    own = [n for n in ui.get("ui:order", ()) if n != "*" and n not in base]
    # The model's own fields take the place the shared part keeps for "the rest" (``*``), else go last.
    at = base.index("*") if "*" in base else len(base)
    merged["ui:order"] = base[:at] + own + base[at:]
    return merged


def _is_file_ref(item: Any, files: Mapping[str, str]) -> bool:
    ref = item.get("$ref") if isinstance(item, dict) else None
    return isinstance(ref, str) and len(item) == 1 and not ref.startswith("#") and "://" not in ref


def _load_part(name: str, files: Mapping[str, str], seen: tuple[str, ...]) -> dict[str, Any]:
    if name in seen:
        raise ComposeError(f"«{name}» se incluye a sí mismo ({' → '.join((*seen, name))})")
    if len(seen) >= MAX_DEPTH:
        raise ComposeError(f"demasiados niveles de inclusión al incluir «{name}»")
    if name not in files:
        raise ComposeError(f"el formulario incluido «{name}» no existe en el modelo")
    try:
        loaded = json.loads(files[name])
    except json.JSONDecodeError as exc:
        raise ComposeError(f"el formulario incluido «{name}» no es JSON válido: {exc.msg}") from exc
    if not isinstance(loaded, dict):
        raise ComposeError(f"el formulario incluido «{name}» debe ser un objeto JSON")
    return loaded


def _merge_fields(into: dict[str, Any], part: Mapping[str, Any]) -> None:
    properties = part.get("properties", {})
    if isinstance(properties, dict):
        into["properties"].update(properties)
    for name in part.get("required", ()):
        if name not in into["required"]:
            into["required"].append(name)
