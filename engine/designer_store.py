"""The designer's rows and rules: reading drafts and versions, the model-name rule, and problem lines."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.designer_views import DraftInfo
from engine.errors import NotFound, Problem
from engine.models import ModelDraft, ProcessVersion
from engine.xmlsafe import parse_safely

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MODEL_NAME = re.compile(r"[a-z][a-z0-9_]{2,59}")
RESERVED_MODEL_NAMES = frozenset({"nuevo", "subir"})  # the designer's own pages under /disenador/modelos/
NAME_RULE = ("use de 3 a 60 letras minúsculas, dígitos o _, empezando por letra "
             f"(y que no sea {' ni '.join(sorted(RESERVED_MODEL_NAMES))})")


def fit_for_new_model(model: str | None) -> bool:
    return bool(MODEL_NAME.fullmatch(model or "")) and model not in RESERVED_MODEL_NAMES


def with_lines(problems: list[Problem], files: dict[str, str]) -> list[Problem]:
    """Pin problems that name an element but no line (the clash checks) to the element's line."""
    lines: dict[str, dict[str, int]] = {}
    out = []
    for problem in problems:
        text = files.get(problem.file)
        if problem.line is None and problem.element_id and isinstance(text, str) and problem.file.endswith(".bpmn"):
            if problem.file not in lines:
                parsed, _ = parse_safely(problem.file, text)
                lines[problem.file] = parsed.lines_by_id if parsed else {}
            line = lines[problem.file].get(problem.element_id)
            if line is not None:
                problem = Problem(problem.file, problem.element_id, line, problem.message)
        out.append(problem)
    return out


def draft_row(session: Session, model: str) -> ModelDraft | None:
    return session.scalars(select(ModelDraft).where(ModelDraft.model == model)).first()


def version_row(session: Session, model: str, version: int | None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.model == model)
    query = (query.where(ProcessVersion.version == version) if version is not None
             else query.order_by(ProcessVersion.version.desc()).limit(1))
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"No existe la versión {version} del modelo {model}." if version is not None
                       else f"No existe el modelo {model}.")
    return row


def draft_info(draft: ModelDraft) -> DraftInfo:
    return DraftInfo(draft.model, draft.updated_by, draft.updated_at, draft.base_version)


def draft_process(files: dict[str, str]) -> tuple[str, str]:
    """A never-deployed draft's process id and name, read from its first executable process (best effort)."""
    for name in sorted(files):
        if not name.endswith(".bpmn") or not isinstance(files[name], str):
            continue
        parsed, _ = parse_safely(name, files[name])
        if parsed is None:
            continue
        for process in parsed.root.iter(f"{BPMN}process"):
            if process.get("isExecutable", "true").lower() != "false" and process.get("id"):
                return str(process.get("id")), str(process.get("name") or process.get("id"))
    return "", ""
