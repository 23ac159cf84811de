"""Cartera takes a charge back: the reversal of a fee (derecho pecuniario) and of a charge posted twice, and the
explanation of a questioned charge that stands.

Tuition is never reversed here (Reversiones de matrícula is its own procedure), and every reversal is a
counter-entry of the charge's posting: what was paid on the charge stays, and becomes a credit balance.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from handlers.casos.cartera_ledger import (
    charges_in_force,
    describe_charge,
    find_charge,
    is_reversed,
    reverse_charge,
    same_charges_in_force,
)
from handlers.casos.common import student_account
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.journal import balance_of
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Charge
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import money, money_str

MOTIVES = {"no_solicitado": "cobro de un servicio no solicitado", "servicio_no_prestado": "servicio no prestado",
           "cobro_errado": "valor cobrado por error", "otro": "otro motivo"}


# ---- Reversiones de derechos pecuniarios -------------------------------------------------------------------------

def _fee_problem(ctx: StepContext, codigo_estudiante: str, cargo: str) -> tuple[str | None, Charge | None]:
    charge = find_charge(ctx.session, student_account(ctx, codigo_estudiante), cargo)
    if charge is None:
        return f"No encontramos el cargo «{cargo}» en su estado de cuenta.", None
    if charge.kind != ChargeKind.FEE:
        return (f"«{charge.description}» es un cobro de matrícula financiera; su reversión se solicita con el "
                "caso «Reversiones de matrícula».", charge)
    if is_reversed(ctx.session, charge):
        return f"El cargo «{charge.description}» (cargo {charge.id}) ya fue reversado.", charge
    return None, charge


def fee_is_reversible(ctx: StepContext, codigo_estudiante: str, cargo: str) -> bool:
    """Gateway: the charge exists on the student's account, is a fee (not tuition) and is not reversed yet."""
    return _fee_problem(ctx, codigo_estudiante, cargo)[0] is None


def fee_refusal(ctx: StepContext, codigo_estudiante: str, cargo: str) -> str:
    return _fee_problem(ctx, codigo_estudiante, cargo)[0] or "El cargo se puede reversar."


def reverse_fee(ctx: CaseStepContext, codigo_estudiante: str, cargo: str, motivo: str) -> dict[str, Any]:
    """The counter-entry of the fee's charge (checked again: the gateway's answer may be stale)."""
    problem, charge = _fee_problem(ctx, codigo_estudiante, cargo)
    if problem is not None or charge is None:
        raise HandlerInputError(problem or "Cargo no encontrado.", field="cargo")
    counter = reverse_charge(ctx, charge, f"Reversión de derecho pecuniario: {MOTIVES.get(motivo, motivo)}",
                             field="cargo")
    balance = balance_of(ctx.session, charge.account_id)
    return {"contrapartida": counter.id, "cargo": charge.id, "valor": money_str(charge.amount),
            "saldo": money_str(balance),
            "resumen": f"Cartera reversó el cargo «{charge.description}» por {format_money(charge.amount)}."
                       + _balance_sentence(balance)}


def _balance_sentence(balance: Decimal) -> str:
    if balance < 0:
        return f" Su estado de cuenta queda con un saldo a favor de {format_money(-balance)}."
    if balance > 0:
        return f" Su saldo por pagar es de {format_money(balance)}."
    return " Su estado de cuenta queda en cero."


# ---- Cargos por valores cobrados ---------------------------------------------------------------------------------

def _duplicate_of(ctx: StepContext, codigo_estudiante: str, cargo: str) -> Charge | None:
    """The later of two charges in force alike in kind, description and amount, if ``cargo`` is one of them."""
    charge = find_charge(ctx.session, student_account(ctx, codigo_estudiante), cargo)
    if charge is None:
        return None
    same = same_charges_in_force(ctx.session, charge)
    return same[-1] if len(same) >= 2 else None


def charge_is_duplicate(ctx: StepContext, codigo_estudiante: str, cargo_cuestionado: str) -> bool:
    """Gateway: the questioned charge is posted twice (same kind, description and amount, both in force)."""
    return _duplicate_of(ctx, codigo_estudiante, cargo_cuestionado) is not None


def reverse_duplicate_charge(ctx: CaseStepContext, codigo_estudiante: str, cargo_cuestionado: str) -> dict[str, Any]:
    """The counter-entry of the later of the two charges: the first one stands."""
    duplicate = _duplicate_of(ctx, codigo_estudiante, cargo_cuestionado)
    if duplicate is None:
        raise HandlerInputError(f"El cargo «{cargo_cuestionado}» no está cobrado dos veces.",
                                field="cargo_cuestionado")
    counter = reverse_charge(ctx, duplicate, f"Cargo duplicado: {duplicate.description}", field="cargo_cuestionado")
    balance = balance_of(ctx.session, duplicate.account_id)
    return {"contrapartida": counter.id, "cargo": duplicate.id, "valor": money_str(duplicate.amount),
            "saldo": money_str(balance),
            "resumen": f"El cargo «{duplicate.description}» por {format_money(duplicate.amount)} estaba cobrado dos "
                       f"veces; Cartera reversó el cobro repetido (cargo {duplicate.id})."
                       + _balance_sentence(balance)}


def explain_charge(ctx: CaseStepContext, codigo_estudiante: str, cargo_cuestionado: str,
                   valor_correcto: str) -> dict[str, Any]:
    """What the ledger says of the questioned charge: amount, dates and what was paid on it."""
    account = student_account(ctx, codigo_estudiante)
    charge = find_charge(ctx.session, account, cargo_cuestionado)
    if charge is None:
        listed = "; ".join(f"«{c.description}» (cargo {c.id}) por {format_money(c.amount)}"
                           for c in charges_in_force(ctx.session, account))
        text = (f"No encontramos el cargo «{cargo_cuestionado}» en su estado de cuenta. Sus cargos vigentes son: "
                f"{listed or 'ninguno'}. Si alguno de ellos es el que cuestiona, registre un nuevo caso "
                "indicando su descripción o número.")
        return {"cargo": None, "explicacion": text}
    text = (f"Revisamos su estado de cuenta: el cargo {describe_charge(ctx.session, charge)} No está cobrado dos "
            f"veces, por lo que se mantiene; usted indicó como valor correcto {format_money_text(valor_correcto)}.")
    return {"cargo": charge.id, "explicacion": text}


def format_money_text(value: object) -> str:
    """The requester's own figure, formatted when it is an amount (it is only quoted back to them)."""
    try:
        return format_money(money(str(value), field="valor_correcto"))
    except HandlerInputError:
        return str(value)
