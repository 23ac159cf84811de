"""The process designer's operations: models and their versions, drafts, validation, deploy, diff (issue 6).

Validation is deploy's own: the same file rules (``bundle.accept_file``), the same ``compile_model`` with the known
roles, and the same clash checks ``_write_versions`` runs (``DeployOps._deploy_problems``). A deploy from the
designer writes through ``_write_versions`` too, and deletes the draft in that same transaction."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.catalog import process_id_owner
from engine.compiler import CompiledModel, compile_model
from engine.deploying import DeployOps
from engine.designer_store import (
    NAME_RULE,
    draft_info,
    draft_process,
    draft_row,
    fit_for_new_model,
    version_row,
    with_lines,
)
from engine.designer_views import ModelDiff, ModelFiles, ModelSummary, ModelTemplate, VersionSummary
from engine.errors import Conflict, FieldError, InvalidData, ModelInvalid, NotFound, Problem
from engine.model_diff import diff_files
from engine.model_templates import render_template, template_list
from engine.model_upload import bundle_of, read_uploads, refuse_oversized
from engine.models import FINAL_STATUSES, Instance, ModelDraft, ProcessVersion
from engine.views import DeployResult

MAX_PROCESS_NAME = 200


class DesignerOps(DeployOps):
    # -- reading ---------------------------------------------------------------------------------------------------

    def designer_models(self, actor: str) -> list[ModelSummary]:
        """Every model, deployed or only drafted, with its versions (newest first) and their instance counts."""
        self._require_designer(actor, "editar modelos")
        with self.db.read() as session:
            rows = session.execute(
                select(ProcessVersion.id, ProcessVersion.model, ProcessVersion.version, ProcessVersion.process_id,
                       ProcessVersion.process_name, ProcessVersion.deployed_by, ProcessVersion.deployed_at)
                .order_by(ProcessVersion.model, ProcessVersion.version.desc())).all()
            finished = case((Instance.status.in_(FINAL_STATUSES), 1), else_=0)
            counts = {version_id: (int(total) - int(done), int(done)) for version_id, total, done in session.execute(
                select(Instance.process_version_id, func.count(), func.sum(finished))
                .group_by(Instance.process_version_id))}
            drafts = {d.model: d for d in session.scalars(select(ModelDraft))}
            versions: dict[str, list[VersionSummary]] = {}
            for row in rows:
                running, done = counts.get(row.id, (0, 0))
                versions.setdefault(row.model, []).append(VersionSummary(
                    row.id, row.model, row.version, row.process_id, row.process_name, row.deployed_by,
                    row.deployed_at, running, done))
            summaries = []
            for model in sorted(set(versions) | set(drafts)):
                draft = drafts.get(model)
                found = versions.get(model, [])
                process_id, process_name = ((found[0].process_id, found[0].process_name) if found
                                            else draft_process(draft.files if draft else {}))
                summaries.append(ModelSummary(model, process_id, process_name, found,
                                              draft_info(draft) if draft else None))
        return summaries

    def model_files(self, actor: str, model: str, version: int | None = None) -> ModelFiles:
        """A version's files; without ``version``, the draft if there is one, else the newest version."""
        self._require_designer(actor, "editar modelos")
        with self.db.read() as session:
            if version is None:
                draft = draft_row(session, model)
                if draft is not None:
                    return ModelFiles(model, draft.base_version, dict(draft.files), True)
            row = version_row(session, model, version)
            return ModelFiles(model, row.version, dict(row.files), False)

    def model_templates(self) -> list[ModelTemplate]:
        return template_list()

    def version_archive(self, actor: str, model: str, version: int) -> tuple[str, bytes]:
        """The version's files as a zip, for download (and upload again, as is)."""
        self._require_designer(actor, "editar modelos")
        with self.db.read() as session:
            files = dict(version_row(session, model, version).files)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                archive.writestr(info, files[name].encode("utf-8"), zipfile.ZIP_DEFLATED)
        return f"{model}-v{version}.zip", buffer.getvalue()

    def diff_versions(self, actor: str, model: str, old: int, new: int) -> ModelDiff:
        """What changed from version ``old`` to version ``new`` (0: the draft)."""
        self._require_designer(actor, "editar modelos")
        with self.db.read() as session:
            before = dict(version_row(session, model, old).files)
            if new == 0:
                draft = draft_row(session, model)
                if draft is None:
                    raise NotFound(f"El modelo {model} no tiene borrador.")
                after = dict(draft.files)
            else:
                after = dict(version_row(session, model, new).files)
        found = diff_files(before, after)
        return ModelDiff(model, old, new, found.added, found.removed, found.changed, found.files_added,
                         found.files_removed, found.files_changed)

    # -- validating and deploying ----------------------------------------------------------------------------------

    def validate_model(self, actor: str, model: str, files: dict[str, str]) -> list[Problem]:
        """Every reason ``deploy_model`` would refuse these files; [] means deployable."""
        self._require_designer(actor, "editar modelos")
        self._check_name(model)
        return self._problems(model, files)

    def deploy_model(self, actor: str, model: str, files: dict[str, str]) -> DeployResult:
        """Deploy the files as the model's next version (or "unchanged"); the draft goes once that has committed."""
        self._require_designer(actor, "editar modelos")
        self._check_name(model)
        compiled, problems = self._compile(model, files)
        if compiled is None:
            raise ModelInvalid(model, with_lines(problems, files))
        now = self.clock()
        try:
            with self.db.write() as session:
                result = self._write_versions(session, [compiled], actor, now)[0]
                session.execute(delete(ModelDraft).where(ModelDraft.model == model))
        except ModelInvalid as refused:
            raise ModelInvalid(model, with_lines(refused.problems, files)) from refused
        self._remember_deployed([result], [compiled])
        return result

    # -- drafts ----------------------------------------------------------------------------------------------------

    def save_draft(self, actor: str, model: str, files: dict[str, str]) -> list[Problem]:
        """Keep the files as the model's draft, valid or not; returns what stands in the way of deploying them."""
        self._require_designer(actor, "editar modelos")
        self._check_name(model)
        refuse_oversized(files)
        problems = self._problems(model, files)
        self._store_draft(actor, model, files)
        return problems

    def discard_draft(self, actor: str, model: str) -> None:
        self._require_designer(actor, "editar modelos")
        with self.db.write() as session:
            if session.execute(delete(ModelDraft).where(ModelDraft.model == model)).rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound(f"El modelo {model} no tiene borrador.")

    def new_model(self, actor: str, model: str, template_key: str, process_name: str) -> ModelFiles:
        """A new model's first draft, from a template: its process id is the model's name."""
        self._require_designer(actor, "editar modelos")
        errors = []
        name = " ".join((process_name or "").split())
        if not fit_for_new_model(model):
            errors.append(FieldError("modelo", NAME_RULE))
        if not name or len(name) > MAX_PROCESS_NAME:
            errors.append(FieldError("nombre", f"escriba el nombre del proceso (hasta {MAX_PROCESS_NAME} "
                                               "caracteres)"))
        files = render_template(template_key, model, name)
        if files is None:
            errors.append(FieldError("plantilla", f"no existe la plantilla «{template_key}»"))
        if errors or files is None:
            raise InvalidData(errors)
        try:
            with self.db.write() as session:
                self._refuse_taken(session, model)
                session.add(ModelDraft(model=model, files=files, base_version=None, updated_by=actor,
                                       updated_at=self.clock()))
        except IntegrityError as exc:  # another designer created it in between
            raise InvalidData([FieldError("modelo", f"ya existe un modelo «{model}»")]) from exc
        return ModelFiles(model, None, files, True)

    def upload_model(self, actor: str, model: str, uploads: list[tuple[str, bytes]]) -> list[Problem]:
        """Make the uploaded files (a .zip, or .bpmn and .json files) the model's draft, replacing the draft's files
        wholesale; returns the draft's problems. An upload refused as a whole (a hostile zip, a wrong file type)
        stores nothing and returns why."""
        self._require_designer(actor, "editar modelos")
        self._check_name(model)
        files, refused = read_uploads(uploads)
        if refused:
            return refused
        problems = self._problems(model, files)
        self._store_draft(actor, model, files)
        return problems

    # -- helpers ---------------------------------------------------------------------------------------------------


    def _check_name(self, model: str) -> None:
        """A model that exists keeps its name; a new one needs a name fit for a folder and a process id."""
        if fit_for_new_model(model):
            return
        with self.db.read() as session:
            if session.scalars(select(ProcessVersion.id).where(ProcessVersion.model == model).limit(1)).first():
                return
        raise InvalidData([FieldError("modelo", NAME_RULE)])

    def _refuse_taken(self, session: Session, model: str) -> None:
        taken = session.scalars(select(ProcessVersion.id).where(ProcessVersion.model == model).limit(1)).first()
        if taken is not None or draft_row(session, model) is not None:
            raise InvalidData([FieldError("modelo", f"ya existe un modelo «{model}»")])
        owner = process_id_owner(session, model, model)
        if owner is not None:
            raise InvalidData([FieldError("modelo", f"el id de proceso «{model}» ya lo usa el modelo {owner}")])

    def _compile(self, model: str, files: dict[str, str]) -> tuple[CompiledModel | None, list[Problem]]:
        bundle, problems = bundle_of(model, files)
        if problems:
            return None, problems
        return compile_model(bundle, self.handlers, self._known_roles())

    def _problems(self, model: str, files: dict[str, str]) -> list[Problem]:
        compiled, problems = self._compile(model, files)
        if compiled is not None:
            with self.db.read() as session:
                problems = self._deploy_problems(session, compiled, self.clock())
        return with_lines(problems, files)

    def _store_draft(self, actor: str, model: str, files: dict[str, str]) -> None:
        now = self.clock()
        try:
            self._write_draft(actor, model, files, now)
        except IntegrityError as exc:  # another designer saved this model's first draft in between
            raise Conflict(f"Otro diseñador acaba de crear el borrador de {model}; ábralo de nuevo.") from exc

    def _write_draft(self, actor: str, model: str, files: dict[str, str], now: datetime) -> None:
        with self.db.write() as session:
            draft = draft_row(session, model)
            if draft is None:
                latest = session.scalars(select(func.max(ProcessVersion.version))
                                         .where(ProcessVersion.model == model)).first()
                session.add(ModelDraft(model=model, files=dict(files), base_version=latest, updated_by=actor,
                                       updated_at=now))
            else:
                draft.files = dict(files)
                draft.updated_by = actor
                draft.updated_at = now


