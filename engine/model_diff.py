"""What changed between two versions of a model, element by element, as a designer reads it (in Spanish).

Every BPMN element with an id is compared on what cauce runs: its type, name, flow ends, condition, lane, boundary
host, and the spiffworkflow extension values (properties, service operator and parameters, instructions, scripts,
timers, messages, correlation). Layout (BPMNDI) is not compared: moving a shape changes nothing that runs. Forms
(JSON) are compared as parsed JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree

from engine.designer_views import ElementChange
from engine.xmlsafe import parse_safely

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_SHOWN = 80  # characters of a value shown in a detail line

# Attributes that change what runs, with the Spanish label a detail uses.
ATTRIBUTES = {
    "name": "nombre", "sourceRef": "origen", "targetRef": "destino", "default": "flujo por defecto",
    "attachedToRef": "adjunto a", "cancelActivity": "interrumpe", "isInterrupting": "interrumpe",
    "messageRef": "mensaje", "processRef": "proceso", "calledElement": "proceso llamado",
    "isExecutable": "ejecutable", "signalRef": "señal", "errorRef": "error", "escalationRef": "escalamiento",
    "triggeredByEvent": "disparado por evento",
}
# Child texts that change what runs.
TEXTS = {
    "conditionExpression": "condición", "script": "script", "documentation": "documentación",
    "timeDate": "temporizador (fecha)", "timeDuration": "temporizador (duración)", "timeCycle": "temporizador (ciclo)",
    "retrievalExpression": "expresión de correlación", "formalExpression": "expresión",
    "loopCardinality": "cardinalidad", "completionCondition": "condición de finalización",
}


@dataclass
class Element:
    file: str
    element_id: str
    element_type: str
    name: str
    aspects: dict[str, str] = field(default_factory=dict)


@dataclass
class FileDiff:
    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)
    files_added: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)


def diff_files(old: dict[str, str], new: dict[str, str]) -> FileDiff:
    result = FileDiff()
    result.files_added = sorted(set(new) - set(old))
    result.files_removed = sorted(set(old) - set(new))
    old_elements = _elements(old)
    new_elements = _elements(new)
    changed_files: set[str] = set()
    for key in sorted(set(old_elements) | set(new_elements)):
        before, after = old_elements.get(key), new_elements.get(key)
        if before is None and after is not None:
            result.added.append(_change(after, []))
            changed_files.add(after.file)
        elif after is None and before is not None:
            result.removed.append(_change(before, []))
            changed_files.add(before.file)
        elif before is not None and after is not None:
            details = _details(before, after)
            if details:
                result.changed.append(_change(after, details))
                changed_files.add(after.file)
    for name in sorted(set(old) & set(new)):
        if name.endswith(".bpmn"):
            broken = old[name] != new[name] and (_unparsable(old[name]) or _unparsable(new[name]))
            if name in changed_files or broken:
                result.files_changed.append(name)
        elif _as_json(old[name]) != _as_json(new[name]):
            result.files_changed.append(name)
    return result


def _change(element: Element, details: list[str]) -> ElementChange:
    return ElementChange(element.file, element.element_id, element.element_type, element.name, details)


def _details(before: Element, after: Element) -> list[str]:
    details = []
    for key in sorted(set(before.aspects) | set(after.aspects), key=_aspect_order):
        old, new = before.aspects.get(key), after.aspects.get(key)
        if old == new:
            continue
        if old is None:
            details.append(f"{key}: se agregó «{_short(new)}»")
        elif new is None:
            details.append(f"{key}: se quitó «{_short(old)}»")
        else:
            details.append(f"{key}: «{_short(old)}» → «{_short(new)}»")
    return details


def _aspect_order(key: str) -> tuple[int, str]:
    return (0 if key in ("tipo", "nombre", "rol del carril") else 1, key)


def _short(value: str | None) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _as_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return ("texto", text)  # not JSON: compared as text


def _unparsable(text: str) -> bool:
    return parse_safely("x.bpmn", text)[0] is None


def _elements(files: dict[str, str]) -> dict[tuple[str, str], Element]:
    found: dict[tuple[str, str], Element] = {}
    for filename in sorted(files):
        if not filename.endswith(".bpmn"):
            continue
        parsed, _ = parse_safely(filename, files[filename])
        if parsed is None:
            continue
        lanes = _lane_of_nodes(parsed.root)
        for el in _bpmn_elements(parsed.root):
            element_id = str(el.get("id"))
            kind = etree.QName(el).localname
            aspects = _aspects(el)
            aspects["tipo"] = kind
            if element_id in lanes:
                aspects["carril"] = lanes[element_id]
            found[(filename, element_id)] = Element(filename, element_id, kind, el.get("name") or "", aspects)
    return found


def _bpmn_elements(root: etree._Element) -> list[etree._Element]:
    """Elements with an id in the BPMN namespace, outside extension elements (whose ids name handlers, not
    elements) and without event definitions (they are part of their event)."""
    out = []
    stack = [root]
    while stack:
        el = stack.pop()
        for child in el:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
                continue
            local = etree.QName(child).localname
            if local == "extensionElements":
                continue
            if child.get("id") and not local.endswith("EventDefinition"):
                out.append(child)
            stack.append(child)
    return out


def _lane_of_nodes(root: etree._Element) -> dict[str, str]:
    lanes = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        label = lane.get("name") or lane.get("id") or ""
        for ref in lane.iterfind(f"{{{BPMN_NS}}}flowNodeRef"):
            if ref.text:
                lanes[ref.text.strip()] = label
    return lanes


def _aspects(el: etree._Element) -> dict[str, str]:
    local = etree.QName(el).localname
    aspects = {}
    for attr, label in ATTRIBUTES.items():
        value = el.get(attr)
        if value is not None:
            aspects["rol del carril" if local == "lane" and attr == "name" else label] = value
    for child in el:
        if not isinstance(child.tag, str):
            continue
        child_local = etree.QName(child).localname
        if child_local == "extensionElements":
            aspects.update(_extension_aspects(child))
        elif child_local.endswith("EventDefinition"):
            aspects[f"evento {child_local.removesuffix('EventDefinition')}"] = "sí"
            aspects.update(_definition_aspects(child))
        elif child_local in TEXTS and etree.QName(child).namespace == BPMN_NS:
            aspects[TEXTS[child_local]] = (child.text or "").strip()
        elif child_local == "correlationPropertyRetrievalExpression":
            message = child.get("messageRef", "")
            aspects[f"correlación del mensaje {message}"] = " ".join(t.strip() for t in child.itertext() if t.strip())
        elif child_local in ("correlationPropertyRef", "participantRef", "supportedInterfaceRef"):
            aspects.setdefault(child_local, "")
            aspects[child_local] = ", ".join(filter(None, [aspects[child_local], (child.text or "").strip()]))
    return aspects


def _definition_aspects(definition: etree._Element) -> dict[str, str]:
    aspects = {}
    for attr, label in ATTRIBUTES.items():
        if definition.get(attr) is not None:
            aspects[label] = str(definition.get(attr))
    for child in definition.iter():
        if child is definition or not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local in TEXTS:
            aspects[TEXTS[local]] = (child.text or "").strip()
        elif etree.QName(child).namespace == SPIFF_NS:
            aspects[_spiff_label(local)] = _spiff_value(child)
    return aspects


def _extension_aspects(extensions: etree._Element) -> dict[str, str]:
    aspects: dict[str, str] = {}
    for child in extensions:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "properties":
            for prop in child:
                if isinstance(prop.tag, str) and prop.get("name"):
                    aspects[f"propiedad {prop.get('name')}"] = prop.get("value") or (prop.text or "").strip()
        elif local == "serviceTaskOperator":
            aspects["servicio"] = child.get("id") or ""
            if child.get("resultVariable"):
                aspects["variable de resultado"] = str(child.get("resultVariable"))
            for param in child.iter(f"{{{SPIFF_NS}}}parameter"):
                aspects[f"parámetro {param.get('id')}"] = param.get("value") or ""
        elif etree.QName(child).namespace == SPIFF_NS:
            aspects[_spiff_label(local)] = _spiff_value(child)
        else:  # another modeler's extension: kept, compared as its text
            aspects[f"extensión {local}"] = _spiff_value(child)
    return aspects


SPIFF_LABELS = {
    "instructionsForEndUser": "instrucciones", "preScript": "script previo", "postScript": "script posterior",
    "messageVariable": "variable del mensaje", "messagePayload": "contenido del mensaje",
    "calledDecisionId": "decisión llamada", "unitTestList": "pruebas",
}


def _spiff_label(local: str) -> str:
    return SPIFF_LABELS.get(local, local)


def _spiff_value(el: etree._Element) -> str:
    attrs = " ".join(f"{k}={v}" for k, v in sorted(el.attrib.items()) if isinstance(k, str))
    text = " ".join(t.strip() for t in el.itertext() if t.strip())
    return " ".join(filter(None, [attrs, text]))
