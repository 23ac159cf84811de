"""The handlers every case type shares: open, triage, ask for information, escalate, close.

They keep ``CaseFile`` (what the requester and the dashboards see) and tell people what happened. The case
number is the instance's (``ctx.case_number``), so a model never has to carry it in its data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.casos.models import STATUS_LABELS, CaseEvent, CaseEventKind, CaseFile, CaseStatus
from handlers.casos.telling import tell_requester, tell_role
from handlers.context import CaseStepContext
from handlers.errors import HandlerInputError
from handlers.ledger.models import Account

SUPERVISOR_ROLE = "supervisor"
OUTCOMES = {"resuelto": CaseStatus.RESOLVED, "rechazado": CaseStatus.REJECTED, "cerrado": CaseStatus.CLOSED}


def case_open(ctx: CaseStepContext, case_type: str, type_name: str, unit: str, codigo_estudiante: str,
              documento: str, nombre_estudiante: str, correo: str, celular: str, programa: str,
              asunto: str) -> dict[str, Any]:
    """Register the case ("Registrado") and tell the requester its number."""
    number = _number(ctx)
    case = CaseFile(number=number, case_type=case_type, type_name=type_name, unit=unit,
                    requester=ctx.initiator or ctx.actor, student_code=codigo_estudiante.strip(),
                    document_id=documento.strip(), student_name=nombre_estudiante.strip(), contact_email=correo,
                    contact_mobile=celular, program=programa, subject=asunto, status=CaseStatus.REGISTERED,
                    opened_at=ctx.now, updated_at=ctx.now, instance_ref=ctx.instance_ref)
    ctx.session.add(case)
    ctx.session.flush()
    _event(ctx, case, CaseEventKind.OPENED, None, CaseStatus.REGISTERED, type_name)
    tell_requester(ctx, case, "case_created", f"Caso {number} registrado: {type_name}",
                   f"Registramos su caso {number} ({type_name}) sobre «{asunto}». La unidad de "
                   f"{unit_label(unit)} lo revisará; puede seguirlo y agregar notas en «Mis casos».")
    return {"numero": number, "estado": case.status}


def case_triage(ctx: CaseStepContext, codigo_estudiante: str, documento: str) -> dict[str, Any]:
    """Is the student the form names the ledger's student? A known code with another document is not."""
    case = _case(ctx)
    account = ctx.session.scalars(select(Account).where(Account.code == codigo_estudiante.strip())).first()
    if account is None:
        problem = f"No encontramos el código de estudiante {codigo_estudiante} en el sistema académico."
    elif account.document_id and account.document_id != documento.strip():
        problem = (f"El documento de identidad {documento} no corresponde al código de estudiante "
                   f"{codigo_estudiante}.")
    else:
        _move(ctx, case, CaseStatus.IN_REVIEW, CaseEventKind.STATUS, "Triaje: estudiante identificado")
        return {"identificado": True, "problema": ""}
    return {"identificado": False, "problema": problem + " Corrija el dato en su respuesta."}


def case_request_info(ctx: CaseStepContext, pregunta: str) -> dict[str, Any]:
    """The unit needs more information: the case waits for the requester ("Requiere información")."""
    if not isinstance(pregunta, str) or not pregunta.strip():
        raise HandlerInputError("Escriba qué información necesita del solicitante.", field="pregunta")
    case = _case(ctx)
    _move(ctx, case, CaseStatus.NEEDS_INFO, CaseEventKind.INFO_REQUESTED, pregunta.strip())
    tell_requester(ctx, case, "info_requested", f"Caso {case.number}: necesitamos más información",
                   f"Para continuar con su caso {case.number} ({case.type_name}) necesitamos: {pregunta.strip()}\n"
                   "Responda desde «Mis casos» > el caso > «Responder».")
    return {"estado": case.status, "pregunta": pregunta.strip()}


def case_info_answered(ctx: CaseStepContext, respuesta: str) -> dict[str, Any]:
    case = _case(ctx)
    _move(ctx, case, CaseStatus.IN_REVIEW, CaseEventKind.INFO_ANSWERED, respuesta.strip()[:2000])
    return {"estado": case.status}


def case_escalate(ctx: CaseStepContext, tarea: str) -> dict[str, Any]:
    """The unit's task passed its SLA: supervisors (and the unit) are told; the first breach is kept."""
    case = _case(ctx)
    first = case.escalated_at is None
    if first:
        case.escalated_at = ctx.now
    case.updated_at = ctx.now
    _event(ctx, case, CaseEventKind.ESCALATED, case.status, case.status, tarea)
    subject = f"SLA vencido: caso {case.number} ({case.type_name})"
    body = (f"La tarea «{tarea}» del caso {case.number} ({case.type_name}, {unit_label(case.unit)}) superó su "
            f"plazo. Estudiante: {case.student_name} ({case.student_code}). Abierto el "
            f"{case.opened_at:%Y-%m-%d}. Revise la bandeja de la unidad o reasigne la tarea.")
    told = tell_role(ctx, SUPERVISOR_ROLE, "escalation", subject, body)
    tell_role(ctx, case.unit, "escalation", subject, body)
    return {"escalado": True, "primera_vez": first, "supervisores_avisados": told}


def case_close(ctx: CaseStepContext, resultado: str, mensaje: str) -> dict[str, Any]:
    """The outcome: "resuelto", "rechazado" or "cerrado", with the message the requester receives."""
    status = OUTCOMES.get(resultado)
    if status is None:
        raise HandlerInputError(f"Resultado «{resultado}» desconocido; use {', '.join(OUTCOMES)}.",
                                field="resultado")
    if not isinstance(mensaje, str) or not mensaje.strip():
        raise HandlerInputError("El resultado necesita un mensaje para el solicitante.", field="mensaje")
    case = _case(ctx)
    case.outcome = mensaje.strip()
    case.closed_at = ctx.now
    _move(ctx, case, status, CaseEventKind.CLOSED, mensaje.strip())
    tell_requester(ctx, case, "case_closed", f"Caso {case.number} {STATUS_LABELS[status].lower()}",
                   f"Su caso {case.number} ({case.type_name}) fue {STATUS_LABELS[status].lower()}.\n\n"
                   f"{mensaje.strip()}")
    return {"estado": case.status, "mensaje": case.outcome}


UNIT_LABELS = {"cartera": "Cartera", "tesoreria": "Tesorería", "credito": "Crédito", "facturacion": "Facturación"}


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


def _number(ctx: CaseStepContext) -> str:
    if not ctx.case_number:
        raise HandlerInputError("El caso no tiene número.", field="case_number")
    return ctx.case_number


def _case(ctx: CaseStepContext) -> CaseFile:
    number = _number(ctx)
    case = ctx.session.scalars(select(CaseFile).where(CaseFile.number == number)).first()
    if case is None:
        raise HandlerInputError(f"No existe el caso {number}.", field="case_number")
    return case


def _move(ctx: CaseStepContext, case: CaseFile, status: CaseStatus, kind: CaseEventKind, detail: str) -> None:
    before = case.status
    case.status = status
    case.updated_at = ctx.now
    _event(ctx, case, kind, before, status, detail)


def _event(ctx: CaseStepContext, case: CaseFile, kind: CaseEventKind, before: str | None, after: str | None,
           detail: str | None) -> None:
    ctx.session.add(CaseEvent(case_id=case.id, kind=kind, at=ctx.now, actor=ctx.actor, from_status=before,
                              to_status=after, detail=detail))
