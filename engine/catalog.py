"""Deployed versions: validating, deploying, and the in-memory cache of their parsed specs."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.bundle import ModelBundle, model_folders, read_bundle
from engine.compiler import CompiledModel, compile_model
from engine.errors import ModelInvalid, NotFound, Problem
from engine.models import ProcessVersion
from engine.scripting import Handler
from engine.views import DeployResult, ValidationReport, VersionInfo


@dataclass(frozen=True)
class Deployed:
    """A deployed version as the runtime needs it: who it is, and its parsed, checked specs."""

    info: VersionInfo
    model: CompiledModel


class SpecCache:
    """Parsed specs per deployed version. Parsing costs milliseconds; a request never pays it twice."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = handlers
        self._deployed: dict[int, Deployed] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, version_id: int) -> Deployed:
        deployed = self._deployed.get(version_id)
        if deployed is not None:
            return deployed
        with self._lock:
            deployed = self._deployed.get(version_id)
            if deployed is None:
                version = session.get(ProcessVersion, version_id)
                if version is None:
                    raise NotFound(f"No existe la versión de proceso {version_id}.")
                bundle = ModelBundle(version.model, dict(version.files))
                model, problems = compile_model(bundle, self._handlers, roles=None)
                if model is None:
                    raise ModelInvalid(version.model, problems)
                info = VersionInfo(version.id, version.model, version.version, version.process_id,
                                   version.process_name)
                deployed = self._deployed[version_id] = Deployed(info, model)
        return deployed

    def remember(self, deployed: Deployed) -> None:
        """Keep a version compiled by its deploy (call only once that deploy has committed: an id from a rolled
        back insert may be given to other content later)."""
        with self._lock:
            self._deployed.setdefault(deployed.info.id, deployed)

    def clear(self) -> None:
        with self._lock:
            self._deployed.clear()


def validate_paths(
    paths: list[Path], handlers: Mapping[str, Handler], roles: set[str]
) -> list[tuple[ValidationReport, CompiledModel | None]]:
    results: list[tuple[ValidationReport, CompiledModel | None]] = []
    for folder in model_folders(paths):
        bundle, problems = read_bundle(folder)
        compiled = None
        if not problems:
            compiled, problems = compile_model(bundle, handlers, roles)
        report = ValidationReport(bundle.name, str(folder), compiled.process_id if compiled else None, problems)
        results.append((report, compiled))
    _flag_duplicate_process_ids(results)
    return results


def _flag_duplicate_process_ids(results: list[tuple[ValidationReport, CompiledModel | None]]) -> None:
    seen: dict[str, str] = {}
    for report, compiled in results:
        if compiled is None:
            continue
        other = seen.setdefault(compiled.process_id, report.model)
        if other != report.model:
            report.problems.append(Problem(compiled.bundle.bpmn_files[0], compiled.process_id, None,
                                           f"el id de proceso «{compiled.process_id}» ya lo usa el modelo {other}"))


def deploy_compiled(session: Session, compiled: CompiledModel, actor: str, now: datetime) -> DeployResult:
    bundle = compiled.bundle
    latest = session.scalars(
        select(ProcessVersion).where(ProcessVersion.model == bundle.name)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).first()
    digest = bundle.content_hash
    if latest is not None and latest.content_hash == digest:
        return DeployResult(bundle.name, latest.process_id, latest.version, "unchanged", digest)
    owner = process_id_owner(session, compiled.process_id, bundle.name)
    if owner is not None:
        message = f"el id de proceso «{compiled.process_id}» ya lo usa el modelo {owner}"
        raise ModelInvalid(bundle.name, [Problem(bundle.bpmn_files[0], compiled.process_id, None, message)])
    number = (latest.version if latest else 0) + 1
    session.add(ProcessVersion(
        model=bundle.name, version=number, process_id=compiled.process_id, process_name=compiled.process_name,
        content_hash=digest, files=dict(bundle.files), deployed_by=actor, deployed_at=now,
    ))
    session.flush()
    return DeployResult(bundle.name, compiled.process_id, number, "deployed", digest)


def process_id_owner(session: Session, process_id: str, model: str) -> str | None:
    """The other model whose deployed versions already use ``process_id``, if any."""
    return session.scalars(
        select(ProcessVersion.model).where(ProcessVersion.process_id == process_id, ProcessVersion.model != model)
        .limit(1)
    ).first()


def latest_version(session: Session, process_id: str) -> ProcessVersion:
    version = session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).first()
    if version is None:
        raise NotFound(f"No hay ningún proceso desplegado con id «{process_id}».")
    return version


def deployed_processes(session: Session) -> list[ProcessVersion]:
    newest = (select(ProcessVersion.model, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.model).subquery())
    return list(session.scalars(
        select(ProcessVersion).join(newest, (ProcessVersion.model == newest.c.model)
                                    & (ProcessVersion.version == newest.c.v)).order_by(ProcessVersion.process_id)
    ))
