"""Activación de matrícula financiera: the term's tuition is active once payments and scholarships cover it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from handlers.casos.common import posting_date, student_account
from handlers.casos.consultas_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import ZERO
from handlers.ledger.kinds import ChargeKind, EntryKind
from handlers.ledger.models import Account, Charge, Entry
from handlers.ledger.statement_render import format_date, format_money
from handlers.ledger.values import money_str


@dataclass(frozen=True)
class TuitionCover:
    """How the term's tuition charge stands: what payments and scholarships cover, what is still owed."""

    charge: Charge
    paid: Decimal
    scholarships: Decimal
    pending: Decimal

    @property
    def covered(self) -> bool:
        return self.pending <= ZERO


def term_tuition(ctx: StepContext, account: Account) -> TuitionCover | None:
    """The term's tuition is the latest tuition charge not annulled by a counter-entry (a re-computed tuition
    annuls the old charge and posts a new one); None when the account has no tuition charged."""
    rows = ctx.session.scalars(select(Entry).where(Entry.account_id == account.id, Entry.charge_id.is_not(None))
                               .order_by(Entry.id)).all()
    kinds = {row.id: row.kind for row in rows}
    annulled = {row.reverses_id for row in rows if row.reverses_id is not None and kinds.get(row.reverses_id)
                == EntryKind.CHARGE}
    charges = ctx.session.scalars(select(Charge).where(Charge.account_id == account.id,
                                                       Charge.kind == ChargeKind.TUITION)
                                  .order_by(Charge.charged_on.desc(), Charge.id.desc())).all()
    live = {row.charge_id for row in rows if row.kind == EntryKind.CHARGE and row.id not in annulled}
    charge = next((c for c in charges if c.id in live), None)
    if charge is None:
        return None
    paid = scholarships = owed = ZERO
    for row in rows:
        if row.charge_id != charge.id:
            continue
        owed += row.amount
        kind = kinds.get(row.reverses_id) if row.kind == EntryKind.COUNTER_ENTRY and row.reverses_id else row.kind
        if kind == EntryKind.CREDIT:
            paid -= row.amount
        elif kind == EntryKind.SCHOLARSHIP:
            scholarships -= row.amount
    return TuitionCover(charge=charge, paid=paid, scholarships=scholarships, pending=max(owed, ZERO))


def tuition_is_covered(ctx: StepContext, codigo_estudiante: str) -> bool:
    """Gateway: is the term's tuition fully paid or covered by scholarships?"""
    cover = term_tuition(ctx, student_account(ctx, codigo_estudiante))
    return cover is not None and cover.covered


def tuition_pending_message(ctx: StepContext, codigo_estudiante: str) -> str:
    """Why the tuition cannot be activated, with the pending amount and due date from the ledger."""
    cover = term_tuition(ctx, student_account(ctx, codigo_estudiante))
    if cover is None:
        return ("Su estado de cuenta no tiene matrícula financiera liquidada para el periodo, así que aún no hay "
                "nada que activar. Cuando la matrícula esté liquidada, páguela o solicite la aplicación de su "
                "beneficio y registre de nuevo el caso.")
    charge = cover.charge
    overdue = " (ya vencida)" if charge.due_on < posting_date(ctx) else ""
    return (f"No fue posible activar su matrícula financiera: «{charge.description}» por "
            f"{format_money(charge.amount)} tiene un saldo pendiente de {format_money(cover.pending)} con "
            f"vencimiento el {format_date(charge.due_on)}{overdue}. Pagos aplicados: {format_money(cover.paid)}; "
            f"becas y descuentos: {format_money(cover.scholarships)}. Cuando pague el saldo pendiente se podrá "
            "activar; registre de nuevo el caso si no se refleja.")


def activate_tuition(ctx: CaseStepContext, codigo_estudiante: str) -> dict[str, Any]:
    """Record the activation as a certificate. Checked again here: a tuition with a pending balance is never
    certified as active."""
    account = student_account(ctx, codigo_estudiante)
    cover = term_tuition(ctx, account)
    if cover is None or not cover.covered:
        pending = format_money(cover.pending) if cover else "toda la matrícula"
        raise HandlerInputError(f"La matrícula financiera no está cubierta: falta {pending}.",
                                field="codigo_estudiante")
    charge = cover.charge
    document = issue_document(
        ctx, kind="constancia_activacion", unit="cartera", account=account, amount=charge.amount,
        title="Constancia de activación de matrícula financiera",
        lines=[("Programa", account.program or "-"), ("Matrícula", charge.description),
               ("Valor liquidado", format_money(charge.amount)), ("Pagos aplicados", format_money(cover.paid)),
               ("Becas y descuentos", format_money(cover.scholarships)),
               ("Saldo pendiente", format_money(cover.pending)), ("Estado", "ACTIVA")],
        reason=f"Activación de matrícula financiera: {charge.description}")
    return {"constancia": document.number, "matricula": charge.description, "valor": money_str(charge.amount),
            "pagado": money_str(cover.paid), "becas": money_str(cover.scholarships),
            "mensaje": (f"Cartera activó su matrícula financiera «{charge.description}» "
                        f"({format_money(charge.amount)}: pagos {format_money(cover.paid)}, becas y descuentos "
                        f"{format_money(cover.scholarships)}). Constancia de activación {document.number}.")}

