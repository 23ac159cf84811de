"""Turn a model bundle into runnable SpiffWorkflow specs, collecting every problem on the way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.bundle import ModelBundle
from engine.checks import check_model
from engine.errors import Problem
from engine.event_checks import dangling_message_refs, extra_none_starts
from engine.event_specs import EventSpecs, manual_start_spec, read_event_specs
from engine.parser_messages import in_spanish
from engine.scripting import Handler
from engine.xmlsafe import ParsedXml, parse_safely

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SUBJECT_PROPERTY = "subjectExpression"  # who an instance is about (e.g. a student code)
CASE_PREFIX_PROPERTY = "caseNumberPrefix"  # case numbers PREFIX-YEAR-000123 instead of the process id's
NS = {"bpmn": BPMN_NS, "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


@dataclass
class CompiledModel:
    bundle: ModelBundle
    process_id: str
    process_name: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    ui_forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    start_form: str | None = None
    start_role: str | None = None
    subject_expression: str | None = None
    case_prefix: str | None = None
    documentation: str | None = None
    events: EventSpecs = field(default_factory=EventSpecs)
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False)

    def form(self, filename: str | None) -> dict[str, Any] | None:
        return self.forms.get(filename) if filename else None

    def ui_form(self, filename: str | None) -> dict[str, Any]:
        return self.ui_forms.get(filename, {}) if filename else {}

    def validator(self, filename: str | None) -> Draft202012Validator | None:
        """A ready validator per form: building one costs more than validating with it."""
        schema = self.form(filename)
        if filename is None or schema is None:
            return None
        validator = self._validators.get(filename)
        if validator is None:
            validator = self._validators[filename] = Draft202012Validator(schema, format_checker=FormatChecker())
        return validator


def compile_model(
    bundle: ModelBundle, handlers: Mapping[str, Handler], roles: set[str] | None
) -> tuple[CompiledModel | None, list[Problem]]:
    """Parse and check a bundle. ``roles=None`` skips the role check (re-loading an already deployed version)."""
    problems: list[Problem] = []
    documents: dict[str, ParsedXml] = {}
    for filename in bundle.bpmn_files:
        parsed, problem = parse_safely(filename, bundle.files[filename])
        if problem:
            problems.append(problem)
        elif parsed is not None:
            documents[filename] = parsed
            problems.extend(_missing_process_ids(filename, parsed))
            problems.extend(dangling_message_refs(filename, parsed.root))
            problems.extend(extra_none_starts(filename, parsed.root))
    if problems or not documents:
        return None, problems or [Problem(bundle.name, None, None, "el modelo no tiene BPMN")]

    parser = SpiffBpmnParser(validator=VALIDATOR)
    for filename, parsed in documents.items():
        try:
            parser.add_bpmn_xml(parsed.root, filename=filename)
        except ValidationException as exc:
            problems.append(_from_validation(exc, filename, documents))
    if problems:
        return None, problems

    process_id, process_name = _primary_process(bundle, documents)
    if process_id is None:
        return None, [Problem(bundle.bpmn_files[0], None, None, "no hay ningún proceso ejecutable")]
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        return None, [_from_validation(exc, bundle.bpmn_files[0], documents)]

    forms, ui_forms, start_form, check_problems = check_model(bundle, documents, handlers, roles, process_id)
    prefix = _process_property(documents, process_id, CASE_PREFIX_PROPERTY)
    if prefix is not None and not re.fullmatch(r"[A-Z]{2,8}", prefix):
        check_problems.append(Problem(_diagram_of(bundle, documents, process_id), process_id, None,
                                      f"{CASE_PREFIX_PROPERTY} debe tener de 2 a 8 letras mayúsculas, no «{prefix}»"))
    if check_problems:
        return None, check_problems
    return CompiledModel(bundle, process_id, process_name, spec, subprocess_specs, forms, ui_forms, start_form,
                         _start_lane(spec), _process_property(documents, process_id, SUBJECT_PROPERTY),
                         prefix, _process_documentation(documents, process_id),
                         read_event_specs(spec, subprocess_specs)), []


def _process_property(documents: dict[str, ParsedXml], process_id: str, name: str) -> str | None:
    """A property of the process element itself (``subjectExpression``, ``caseNumberPrefix``)."""
    for parsed in documents.values():
        for el in parsed.root.iterfind(".//bpmn:process", NS):
            if el.get("id") != process_id:
                continue
            for prop in el.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
                if prop.get("name") == name and prop.get("value"):
                    return str(prop.get("value"))
    return None


def _process_documentation(documents: dict[str, ParsedXml], process_id: str) -> str | None:
    for parsed in documents.values():
        for el in parsed.root.iterfind(".//bpmn:process", NS):
            if el.get("id") == process_id:
                text = el.findtext("bpmn:documentation", default="", namespaces=NS).strip()
                return text or None
    return None


def _diagram_of(bundle: ModelBundle, documents: dict[str, ParsedXml], process_id: str) -> str:
    for filename, parsed in documents.items():
        if any(el.get("id") == process_id for el in parsed.root.iterfind(".//bpmn:process", NS)):
            return filename
    return bundle.bpmn_files[0]


def _start_lane(spec: BpmnProcessSpec) -> str | None:
    manual = manual_start_spec(spec)  # with message start events too, the manual start's lane says who starts
    if manual is not None:
        return str(manual.lane) if getattr(manual, "lane", None) else None
    for task_spec in spec.task_specs.values():
        if type(task_spec).__name__ == "StartEvent" and getattr(task_spec, "lane", None):
            return str(task_spec.lane)
    return None


def _missing_process_ids(filename: str, parsed: ParsedXml) -> list[Problem]:
    return [
        Problem(filename, None, el.sourceline, "un <bpmn:process> no tiene atributo id")
        for el in parsed.root.iterfind(".//bpmn:process", NS)
        if not el.get("id")
    ]


def _from_validation(exc: ValidationException, filename: str, documents: dict[str, ParsedXml]) -> Problem:
    file = exc.file_name or filename
    element_id = getattr(exc, "id", None) or None
    line = exc.line_number or None
    if not line and file in documents:
        line = documents[file].line_of(element_id)
    message = str(exc).split("\n")[0]
    if hasattr(exc, "msg") and exc.msg:
        message = str(exc.msg).split("\n")[0]
    return Problem(file, element_id, line if isinstance(line, int) else None, in_spanish(message))


def _primary_process(bundle: ModelBundle, documents: dict[str, ParsedXml]) -> tuple[str | None, str]:
    """The process a user starts: one named like the folder, else the first executable one."""
    candidates: list[tuple[str, str]] = []
    for filename in bundle.bpmn_files:
        for el in documents[filename].root.iterfind(".//bpmn:process", NS):
            if el.get("isExecutable", "true").lower() != "false":
                candidates.append((el.get("id", ""), el.get("name") or el.get("id", "")))
    for pid, name in candidates:
        if pid == bundle.name:
            return pid, name
    return candidates[0] if candidates else (None, "")
