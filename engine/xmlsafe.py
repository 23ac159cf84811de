"""Parsing BPMN that a stranger may have written: no DTDs, no entities, no network, bounded size."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from engine.errors import Problem

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class ParsedXml:
    root: etree._Element
    lines_by_id: dict[str, int]

    def line_of(self, element_id: str | None) -> int | None:
        return self.lines_by_id.get(element_id) if element_id else None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_blank_text=False,
    )


def parse_safely(filename: str, text: str) -> tuple[ParsedXml | None, Problem | None]:
    data = text.encode("utf-8")
    match = _DOCTYPE.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        kind = match.group(1).decode().upper()
        return None, Problem(filename, None, line,
                             f"declaración <!{kind}> no permitida: no se aceptan DTD ni entidades "
                             "(expansión de entidades y referencias externas deshabilitadas)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return None, Problem(filename, None, exc.lineno, f"XML mal formado: {exc.msg}")
    lines = {el.get("id"): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    return ParsedXml(root, lines), None
