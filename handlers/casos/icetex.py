"""Giros adicionales de Icetex: the university certifies a student's pending tuition so Icetex can disburse more.

Only a student with an Icetex loan and tuition still owed gets the certificate; it states the pending tuition
as the ledger has it today, whatever amount the student asked Icetex for.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.casos.common import amount, case_audit, posting_date, student_account
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.accounts import find_account
from handlers.ledger.journal import ZERO
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.loans import LoanProgram, issue_document, loans_of
from handlers.ledger.models import Account, Charge, Entry
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import money_str

CERTIFICATE_PREFIX = "CI-"
CERTIFICATE_DOCUMENT = "certificado_icetex"
REASONS = {"giro_insuficiente": "El giro de Icetex no cubrió la matrícula",
           "reliquidacion": "Aumento del valor de la matrícula por reliquidación",
           "otro": "Otro motivo"}


def pending_tuition_of(session: Session, account: Account) -> Decimal:
    """What is still owed on the account's tuition charges (a tuition overpaid does not offset another)."""
    owed = session.execute(
        select(Entry.charge_id, func.sum(Entry.amount))
        .join(Charge, Charge.id == Entry.charge_id)
        .where(Charge.account_id == account.id, Charge.kind == ChargeKind.TUITION)
        .group_by(Entry.charge_id)
    ).all()
    return sum((max(Decimal(total), ZERO) for _charge, total in owed), ZERO)


def has_icetex_loan(ctx: StepContext, codigo_estudiante: str) -> bool:
    """Gateway: the student has a loan of the Icetex programme."""
    account = find_account(ctx.session, str(codigo_estudiante).strip())
    return account is not None and bool(loans_of(ctx.session, account, LoanProgram.ICETEX))


def has_pending_tuition(ctx: StepContext, codigo_estudiante: str) -> bool:
    """Gateway: the student still owes tuition, so there is something for Icetex to disburse."""
    account = find_account(ctx.session, str(codigo_estudiante).strip())
    return account is not None and pending_tuition_of(ctx.session, account) > 0


def pending_tuition(ctx: StepContext, codigo_estudiante: str) -> str:
    """The pending tuition as "$ 2.500.000,00", for messages."""
    return format_money(pending_tuition_of(ctx.session, student_account(ctx, codigo_estudiante)))


def current_period(today: date) -> str:
    """"2026-1" for January to June, "2026-2" for July to December."""
    return f"{today.year}-{1 if today.month <= 6 else 2}"


def certify_icetex_balance(ctx: CaseStepContext, codigo_estudiante: str, nombre_estudiante: str, periodo: str,
                           valor_solicitado: str, motivo: str) -> dict[str, Any]:
    """Issue the certificate of pending tuition for Icetex (a ``certificado_icetex`` document)."""
    account = student_account(ctx, codigo_estudiante)
    loans = loans_of(ctx.session, account, LoanProgram.ICETEX)
    if not loans:
        raise HandlerInputError(f"El estudiante {codigo_estudiante} no tiene crédito con Icetex.",
                                field="codigo_estudiante")
    pending = pending_tuition_of(ctx.session, account)
    if pending <= 0:
        raise HandlerInputError(f"El estudiante {codigo_estudiante} no tiene saldo pendiente de matrícula.",
                                field="codigo_estudiante")
    today = posting_date(ctx)
    # Icetex disburses for the running or a coming term; a certificate for a term already over is of no use.
    if str(periodo) < current_period(today):
        raise HandlerInputError(f"El periodo {periodo} ya terminó; el periodo actual es {current_period(today)}.",
                                field="periodo")
    requested = amount(valor_solicitado, "valor_solicitado")
    body = "\n".join([
        "CERTIFICADO DE SALDO PENDIENTE DE MATRÍCULA PARA ICETEX",
        f"La Universidad certifica que {account.name or nombre_estudiante}, código {account.code}, documento "
        f"{account.document_id or ''}, programa {account.program or ''}, beneficiario del crédito Icetex "
        f"{', '.join(loan.number for loan in loans)},",
        f"tiene un saldo pendiente de matrícula de {format_money(pending)} al {today:%d/%m/%Y}.",
        f"Periodo del giro adicional: {periodo}. Valor solicitado a Icetex: {format_money(requested)}.",
        f"Motivo: {REASONS.get(motivo, motivo)}.",
    ])
    document = issue_document(ctx.session, prefix=CERTIFICATE_PREFIX, kind=CERTIFICATE_DOCUMENT,
                              account_id=account.id, amount=pending, issued_on=today, body=body,
                              audit=case_audit(ctx, f"Certificado para giro adicional de Icetex {periodo}"))
    return {"documento": document.number, "saldo_pendiente": money_str(pending),
            "saldo_pendiente_texto": format_money(pending)}
