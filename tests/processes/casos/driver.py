"""Driving a case type through the engine as its people would: the requester opens it, the unit works it.

Each case-type test uses these so that it reads as the story of one case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.db import Database
from engine.runtime import Engine
from engine.views import InstanceView, TaskView
from handlers.casos.models import CaseEvent, CaseFile
from handlers.ledger.statement import account_statement
from handlers.mail.models import OutboxEmail

REQUESTER = "estudiante.camila"
CAMILA = {
    "codigo_estudiante": "20262001", "documento": "1090123456", "nombre_estudiante": "Camila Torres Ruiz",
    "correo": "camila.torres@correo.com", "celular": "3001234567", "programa": "Ingeniería Industrial",
    "acepta_datos": True, "detalle": "Solicito amablemente atender este caso.",
}
UNIT_PEOPLE = {"tesoreria": "tesoreria.sofia", "cartera": "cartera.juan", "credito": "credito.pedro",
               "facturacion": "fact.luis"}


@dataclass
class CaseRun:
    """One case on its way: the engine, the database, and the instance as it last was."""

    engine: Engine
    db: Database
    view: InstanceView

    @property
    def number(self) -> str:
        assert self.view.business_key is not None
        return self.view.business_key

    def open_task(self, element_id: str | None = None) -> TaskView:
        tasks = [t for t in self.view.open_tasks if element_id is None or t.element_id == element_id]
        assert tasks, f"no open task {element_id} in {[t.element_id for t in self.view.open_tasks]}"
        return tasks[0]

    def work(self, element_id: str, data: dict[str, Any], actor: str | None = None) -> InstanceView:
        """Complete the open task ``element_id`` as ``actor`` (default: the requester for the requester's
        tasks, else a member of the task's lane)."""
        task = self.open_task(element_id)
        who = actor or (REQUESTER if task.role == "solicitante" else UNIT_PEOPLE[task.role])
        self.view = self.engine.complete(task.id, who, data)
        return self.view

    def resolve(self, data: dict[str, Any] | None = None, actor: str | None = None) -> InstanceView:
        return self.work("Activity_revisar", {"decision": "resolver", **(data or {})}, actor)

    def reject(self, message: str, actor: str | None = None) -> InstanceView:
        return self.work("Activity_revisar", {"decision": "rechazar", "mensaje": message}, actor)

    def ask(self, question: str, actor: str | None = None) -> InstanceView:
        return self.work("Activity_revisar", {"decision": "pedir_informacion", "pregunta": question}, actor)

    def answer(self, text: str, **corrections: str) -> InstanceView:
        current = self.engine.show(self.view.id).data
        data = {"respuesta": text, "codigo_estudiante": current.get("codigo_estudiante", CAMILA["codigo_estudiante"]),
                "documento": current.get("documento", CAMILA["documento"]), **corrections}
        return self.work("Activity_responder", data)

    def case(self) -> CaseFile:
        with self.db.read() as session:
            found = session.scalars(select(CaseFile).where(CaseFile.number == self.number)).one()
            session.expunge(found)
            return found

    def events(self) -> list[tuple[str, str | None]]:
        with self.db.read() as session:
            case_id = session.scalars(select(CaseFile.id).where(CaseFile.number == self.number)).one()
            return [(e.kind, e.to_status) for e in session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))]

    def emails(self) -> list[tuple[str, str, str]]:
        """(kind, recipient, subject) of every e-mail queued for this case, in order."""
        ref = f"{self.view.process_id}#{self.view.id}"
        with self.db.read() as session:
            return [(m.kind, m.recipient, m.subject) for m in session.scalars(
                select(OutboxEmail).where(OutboxEmail.instance_ref == ref).order_by(OutboxEmail.id))]


def open_case(engine: Engine, db: Database, process_id: str, extra: dict[str, Any],
              requester: str = REQUESTER, **common: Any) -> CaseRun:
    data = {**CAMILA, "asunto": f"{process_id} >> Servicios Financieros", **common, **extra}
    return CaseRun(engine, db, engine.start(process_id, requester, data))


def statement_of(db: Database, code: str) -> Any:
    with db.read() as session:
        return account_statement(session, code)
