"""Deploy-time checks of timers and messages: expressions compile, literal times parse, keys name known data.

SpiffWorkflow evaluates a timer's expression only when a task reaches it, and a malformed ISO 8601 value fails
there with a bare ``Exception``; here it fails the deploy with its file, element and line.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.errors import Problem
from engine.event_specs import CORRELATION_PROPERTY

if TYPE_CHECKING:
    from engine.checks import _Checker

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
TIMER_KINDS = {"timeDate": "fecha", "timeDuration": "duración", "timeCycle": "ciclo"}


def _owner_id(el: etree._Element) -> str | None:
    parent = el.getparent()
    return parent.get("id") if parent is not None else None


def check_timer(c: _Checker, file: str, definition: etree._Element) -> None:
    owner = _owner_id(definition)
    found = [child for child in definition if isinstance(child.tag, str) and child.tag[len(BPMN):] in TIMER_KINDS]
    if len(found) != 1:
        c.add(file, definition, "el temporizador debe tener exactamente una fecha, duración o ciclo", owner)
        return
    node = found[0]
    kind = node.tag[len(BPMN):]
    source = (node.text or "").strip()
    c.pending_code.append((file, owner or "", node.sourceline, source, "eval"))
    try:
        literal = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return  # an expression over the data: compiled with the rest of the code, evaluated at run time
    if not isinstance(literal, str):
        c.add(file, node, f"la {TIMER_KINDS[kind]} del temporizador debe ser un texto ISO 8601 entre comillas, "
                          f"como \"P3D\"", owner)
        return
    problem = _iso_problem(kind, literal)
    if problem:
        c.add(file, node, f"la {TIMER_KINDS[kind]} «{literal}» no es válida: {problem}", owner)


def _iso_problem(kind: str, value: str) -> str | None:
    try:
        if kind == "timeDuration":
            if not value.upper().startswith("P"):
                return "una duración ISO 8601 empieza por P (p. ej. P3D, PT2H)"
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeDate":
            TimerEventDefinition.get_datetime(value)
        else:
            if not value.upper().startswith("R"):
                return "un ciclo ISO 8601 empieza por R (p. ej. R3/2026-12-01T08:00:00Z/P1D)"
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # the library raises bare Exceptions (and ValueError, AttributeError) for bad values
        return "no es un valor ISO 8601 reconocido"
    return None


def dangling_message_refs(file: str, root: etree._Element) -> list[Problem]:
    """Message events whose messageRef names no bpmn:message: SpiffWorkflow's parser crashes on them (with a
    TypeError of its own), so they are found before it runs."""
    known = {m.get("id") for m in root.iter(f"{BPMN}message")}
    return [Problem(file, _owner_id(el), el.sourceline,
                    f"el evento de mensaje nombra el mensaje «{el.get('messageRef')}», que no existe (messageRef)")
            for el in root.iter(f"{BPMN}messageEventDefinition")
            if el.get("messageRef") and el.get("messageRef") not in known]


def check_message(c: _Checker, file: str, definition: etree._Element, root: etree._Element) -> None:
    owner = _owner_id(definition)
    ref = definition.get("messageRef")
    names = {m.get("id"): m.get("name") for m in root.iter(f"{BPMN}message")}
    if not ref:
        c.add(file, definition, "el evento de mensaje no nombra ningún bpmn:message (messageRef)", owner)
    elif ref in names and not names[ref]:
        c.add(file, definition, f"el mensaje «{ref}» no tiene nombre (name): con él se correlaciona", owner)
    payload = definition.find(f"{BPMN}extensionElements/{SPIFF}messagePayload")
    if payload is not None:
        c.pending_code.append((file, owner or "", payload.sourceline, (payload.text or "").strip(), "eval"))
    variable = definition.find(f"{BPMN}extensionElements/{SPIFF}messageVariable")
    if variable is not None and (variable.text or "").strip():
        c.variables.add((variable.text or "").strip())


def check_correlation(c: _Checker, file: str, el: etree._Element, expression: str, prop: etree._Element) -> None:
    if el.find(f"{BPMN}messageEventDefinition") is None:
        c.add(file, prop, f"{CORRELATION_PROPERTY} solo tiene sentido en un evento de mensaje", el.get("id"))
        return
    c.pending_code.append((file, el.get("id", ""), prop.sourceline, expression, "eval"))


def extra_none_starts(file: str, root: etree._Element) -> list[Problem]:
    """A process has at most one start event without a trigger: a person starting it by hand must start it in
    one place (SpiffWorkflow would otherwise run every such start at once)."""
    problems = []
    for process in root.iter(f"{BPMN}process"):
        untriggered = [el for el in process.iterfind(f"{BPMN}startEvent")
                       if not any(isinstance(child.tag, str) and child.tag.endswith("EventDefinition")
                                  for child in el)]
        problems += [Problem(file, el.get("id"), el.sourceline,
                             f"el proceso ya tiene un evento de inicio sin disparador ({untriggered[0].get('id')}): "
                             "solo puede tener uno; los demás deben iniciarse por mensaje o temporizador")
                     for el in untriggered[1:]]
    return problems
