"""Deploy-time checks of everything a designer can name in a model: roles, forms, handlers, code.

SpiffWorkflow only notices most of these when an instance reaches the element; here they fail the deploy,
each with its file, element id and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from engine.bundle import ModelBundle
from engine.durations import parse_duration
from engine.errors import Problem
from engine.event_checks import check_correlation, check_message, check_timer
from engine.event_specs import ASYNC_PROPERTY, CASE_NUMBER, CORRELATION_PROPERTY
from engine.expressions import assigned_names, compile_error, forbidden_syntax, free_names
from engine.form_compose import ComposeError, compose_schema, compose_ui_schema
from engine.identity import REQUESTER_ROLE
from engine.scripting import EXTRA_GLOBALS, SAFE_BUILTINS, Handler, handler_parameters
from engine.xmlsafe import ParsedXml

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
HUMAN_TASKS = ("userTask", "manualTask")
DECISION_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
# SpiffWorkflow names its own internal tasks so; an element with one of these ids silently breaks the process.
RESERVED_IDS = ("Start", "End", "Root")
# The filters instructions may use beyond Jinja's own; the web app supplies them (webui/instructions.py).
INSTRUCTION_FILTERS = ("dinero", "fecha")
_INSTRUCTIONS = SandboxedEnvironment()
_INSTRUCTIONS.filters.update(dict.fromkeys(INSTRUCTION_FILTERS, str))


@dataclass
class _Checker:
    bundle: ModelBundle
    handlers: Mapping[str, Handler]
    roles: set[str] | None
    problems: list[Problem] = field(default_factory=list)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    ui_forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)
    pending_code: list[tuple[str, str, int | None, str, str]] = field(default_factory=list)
    start_form: str | None = None
    forms_complete: bool = True  # False once a form is missing or invalid: its field names are then unknown

    def add(self, file: str, el: etree._Element | None, message: str, element_id: str | None = None) -> None:
        line = el.sourceline if el is not None else None
        self.problems.append(Problem(file, element_id or (el.get("id") if el is not None else None), line, message))


def check_model(
    bundle: ModelBundle, documents: dict[str, ParsedXml], handlers: Mapping[str, Handler], roles: set[str] | None,
    process_id: str,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], str | None, list[Problem]]:
    """The model's forms and UI schemas (each composed from its parts), its start form, and every problem."""
    checker = _Checker(bundle, handlers, roles)
    for filename, parsed in documents.items():
        _check_document(checker, filename, parsed.root, process_id)
    _check_code(checker)
    return checker.forms, checker.ui_forms, checker.start_form, checker.problems


def _check_document(c: _Checker, file: str, root: etree._Element, process_id: str) -> None:
    lane_of: dict[str, str] = {}
    for lane in root.iter(f"{BPMN}lane"):
        name = (lane.get("name") or "").strip()
        if not name:
            c.add(file, lane, "el carril no tiene nombre: debe nombrar un rol")
        elif c.roles is not None and name not in c.roles and name != REQUESTER_ROLE:
            c.add(file, lane, f"el carril nombra el rol «{name}», que no existe")
        for ref in lane.iter(f"{BPMN}flowNodeRef"):
            lane_of[(ref.text or "").strip()] = name
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(BPMN):
            continue
        kind = el.tag[len(BPMN):]
        if el.get("id") in RESERVED_IDS or (el.get("id") or "").endswith(".EndJoin"):
            c.add(file, el, f"el id «{el.get('id')}» está reservado por el motor; use otro (p. ej. Event_{kind})")
        if kind in HUMAN_TASKS and el.get("id") not in lane_of:
            c.add(file, el, "la tarea humana no está en ningún carril, así que nadie podría trabajarla")
        if kind in (*HUMAN_TASKS, "startEvent"):
            _check_forms(c, file, el, is_start=kind == "startEvent" and _in_process(el, process_id))
            _check_instructions(c, file, el)
        elif kind == "serviceTask":
            _check_service_task(c, file, el)
        elif kind == "scriptTask":
            script = el.findtext(f"{BPMN}script") or ""
            c.pending_code.append((file, el.get("id", ""), el.sourceline, script, "exec"))
            if not compile_error(script, "exec"):
                c.variables |= assigned_names(script)
        elif kind in DECISION_GATEWAYS:
            _check_gateway(c, file, el, root)
        elif kind == "sequenceFlow":
            cond = el.find(f"{BPMN}conditionExpression")
            if cond is not None:
                c.pending_code.append((file, el.get("id", ""), cond.sourceline, (cond.text or "").strip(), "eval"))
        elif kind == "process":
            subject, prop = _properties(el).get("subjectExpression", ("", None))
            if prop is not None:
                c.pending_code.append((file, el.get("id", ""), prop.sourceline, subject, "eval"))
        elif kind in ("dataObject", "dataObjectReference"):
            c.variables.update(v for v in (el.get("id"), el.get("name")) if v)
        elif kind == "timerEventDefinition":
            check_timer(c, file, el)
        elif kind == "messageEventDefinition":
            check_message(c, file, el, root)
        correlation = _properties(el).get(CORRELATION_PROPERTY)
        if correlation is not None:
            check_correlation(c, file, el, correlation[0], correlation[1])


def _in_process(el: etree._Element, process_id: str) -> bool:
    parent = el.getparent()
    return parent is not None and parent.tag == f"{BPMN}process" and parent.get("id") == process_id


def _properties(el: etree._Element) -> dict[str, tuple[str, etree._Element]]:
    found: dict[str, tuple[str, etree._Element]] = {}
    for prop in el.iterfind(f"{BPMN}extensionElements/{SPIFF}properties/{SPIFF}property"):
        found[prop.get("name", "")] = (prop.get("value", ""), prop)
    return found


def _check_forms(c: _Checker, file: str, el: etree._Element, is_start: bool) -> None:
    props = _properties(el)
    for key in FORM_PROPERTIES:
        if key not in props:
            continue
        filename, prop = props[key]
        if filename not in c.bundle.files:
            c.add(file, prop, f"el formulario «{filename}» no existe en el modelo", el.get("id"))
            if key == "formJsonSchemaFilename":
                c.forms_complete = False
            continue
        schema = _load_schema(c, file, el, filename, is_ui=key == "formUiSchemaFilename")
        if schema is not None and key == "formUiSchemaFilename":
            c.ui_forms[filename] = schema
        if schema is None and key == "formJsonSchemaFilename":
            c.forms_complete = False
        if schema is not None and key == "formJsonSchemaFilename":
            c.forms[filename] = schema
            c.variables |= set(schema.get("properties", {}))
            clash = set(schema.get("properties", {})) & set(c.handlers)
            for name in sorted(clash):
                c.add(filename, None, f"el campo «{name}» se llama como un handler; cámbiele el nombre",
                      el.get("id"))
            if is_start:
                c.start_form = filename
    if "dueIn" in props:
        value, prop = props["dueIn"]
        try:
            parse_duration(value)
        except ValueError as exc:
            c.add(file, prop, f"plazo (dueIn): {exc}", el.get("id"))
    if el.tag == f"{BPMN}userTask" and "formJsonSchemaFilename" not in props:
        c.add(file, el, "la tarea de usuario no declara formJsonSchemaFilename")


def _load_schema(c: _Checker, file: str, el: etree._Element, filename: str, is_ui: bool) -> dict[str, Any] | None:
    schema, problems = form_schema(filename, c.bundle.files, is_ui, el.get("id"))
    c.problems.extend(problems)
    return schema


def form_schema(filename: str, files: Mapping[str, str], is_ui: bool,
                element_id: str | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One form file read as deploy reads it (parts composed, the schema checked): the schema, or why not.
    The designer's live preview uses it too, so a preview never accepts what a deploy would refuse."""
    try:
        schema = json.loads(files[filename])
    except json.JSONDecodeError as exc:
        return None, [Problem(filename, element_id, exc.lineno, f"JSON no válido: {exc.msg}")]
    if not isinstance(schema, dict):
        return None, [Problem(filename, element_id, 1, "el formulario debe ser un objeto JSON")]
    try:
        schema = compose_ui_schema(schema, files) if is_ui else compose_schema(schema, files)
    except ComposeError as exc:
        return None, [Problem(filename, element_id, None, str(exc))]
    if is_ui:
        return schema, []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(raíz)"
        line = _json_line(files[filename], list(exc.path))
        return None, [Problem(filename, element_id, line, f"esquema JSON no válido en {where}: {exc.message}")]
    if schema.get("type", "object") != "object":
        return None, [Problem(filename, element_id, None, "el esquema de un formulario debe ser de tipo object")]
    return schema, []


def _json_line(text: str, path: list[object]) -> int:
    """The line of the key at ``path`` in a JSON text (best effort: each key searched after the previous one)."""
    pos = 0
    for part in path:
        if not isinstance(part, str):
            continue
        match = re.compile(r'"' + re.escape(json.dumps(part)[1:-1]) + r'"\s*:').search(text, pos)
        if match is None:
            break
        pos = match.start()
    return text.count("\n", 0, pos) + 1


def _check_instructions(c: _Checker, file: str, el: etree._Element) -> None:
    node = el.find(f"{BPMN}extensionElements/{SPIFF}instructionsForEndUser")
    if node is None or not node.text:
        return
    try:
        _INSTRUCTIONS.compile(node.text)  # compiling, not only parsing, finds unknown filters
    except TemplateSyntaxError as exc:
        c.add(file, node, f"instrucciones: plantilla Jinja no válida en su línea {exc.lineno}: {exc.message}",
              el.get("id"))


def _check_service_task(c: _Checker, file: str, el: etree._Element) -> None:
    operator = el.find(f"{BPMN}extensionElements/{SPIFF}serviceTaskOperator")
    if operator is None:
        c.add(file, el, "la tarea de servicio no declara spiffworkflow:serviceTaskOperator (el handler)")
        return
    asynchronous = _properties(el).get(ASYNC_PROPERTY)
    if asynchronous is not None and asynchronous[0].strip().lower() not in ("true", "false"):
        c.add(file, asynchronous[1], f"{ASYNC_PROPERTY} debe ser «true» o «false», no «{asynchronous[0]}»",
              el.get("id"))
    name = operator.get("id", "")
    result = operator.get("resultVariable")
    if result:
        c.variables.add(result)
    if name not in c.handlers:
        c.add(file, operator, f"el handler «{name}» no está registrado", el.get("id"))
        return
    accepted, required = handler_parameters(c.handlers[name])
    given: set[str] = set()
    for param in operator.iter(f"{SPIFF}parameter"):
        pid = param.get("id", "")
        given.add(pid)
        if pid not in accepted:
            c.add(file, param, f"el handler «{name}» no tiene el parámetro «{pid}» (acepta: {', '.join(accepted)})",
                  el.get("id"))
        c.pending_code.append((file, el.get("id", ""), param.sourceline, param.get("value", ""), "eval"))
    params = operator.find(f"{SPIFF}parameters")
    for missing in sorted(set(required) - given):
        c.add(file, params if params is not None else operator,
              f"falta el parámetro «{missing}» del handler «{name}»", el.get("id"))


def _check_gateway(c: _Checker, file: str, el: etree._Element, root: etree._Element) -> None:
    gid = el.get("id")
    outgoing = [f for f in root.iter(f"{BPMN}sequenceFlow") if f.get("sourceRef") == gid]
    if len(outgoing) > 1 and not el.get("default"):
        c.add(file, el, "la compuerta no tiene flujo por defecto: si ninguna condición se cumple, "
                        "la instancia quedaría detenida")
    for flow in outgoing:
        conditional = flow.find(f"{BPMN}conditionExpression") is not None
        if flow.get("id") != el.get("default") and len(outgoing) > 1 and not conditional:
            c.add(file, flow, "el flujo de salida no tiene condición ni es el flujo por defecto")


def _check_code(c: _Checker) -> None:
    known = c.variables | set(c.handlers) | set(SAFE_BUILTINS) | set(EXTRA_GLOBALS) | {CASE_NUMBER}
    for file, element_id, line, source, mode in c.pending_code:
        what = "el script" if mode == "exec" else "la expresión"
        if not source:
            c.problems.append(Problem(file, element_id, line, f"{what} está vacía"))
            continue
        error = compile_error(source, mode)
        if error:
            c.problems.append(Problem(file, element_id, line, f"{what} «{source}» no compila: {error}"))
            continue
        forbidden = forbidden_syntax(source, mode)
        if forbidden:
            c.problems.append(Problem(file, element_id, line, f"{what} «{source}»: {forbidden}"))
            continue
        unknown = sorted(free_names(source, mode) - known)
        if unknown and c.forms_complete:
            c.problems.append(Problem(
                file, element_id, line,
                f"{what} «{source}» usa nombres desconocidos: {', '.join(unknown)} "
                "(ni campos de formulario, ni resultados, ni handlers registrados)"))
