"""Cartera's adjustments of this term's tuition: the reliquidación (a new tuition value) and the application of a
benefit (beca o descuento) the student was granted.

A reliquidación never edits the old charge: its posting gets a counter-entry and the new value is a new tuition
charge, so the statement shows both; what the student paid stays applied to the old charge and, when it exceeds
the new value, becomes a credit balance by itself.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from handlers.casos.cartera_ledger import current_tuition, reverse_charge, standing_of
from handlers.casos.common import amount, case_audit, posting_date, student_account
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger import charges
from handlers.ledger.journal import balance_of, counter_entry_of
from handlers.ledger.kinds import ChargeKind
from handlers.ledger.models import Charge, Entry, ScholarshipCredit
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import CENT, money_str

CONCEPTS = {"cambio_rango": "cambio de rango académico", "ajuste_creditos": "ajuste por número de créditos",
            "error_liquidacion": "error en la liquidación", "otro": "otro ajuste"}


# ---- Reliquidación de matrícula financiera ----------------------------------------------------------------------

def tuition_differs(ctx: StepContext, codigo_estudiante: str, valor_aprobado: str) -> bool:
    """Gateway: the student has a tuition charge in force and the approved value is another one."""
    value = amount(valor_aprobado, "valor_aprobado")
    tuition = current_tuition(ctx.session, student_account(ctx, codigo_estudiante))
    return tuition is not None and tuition.amount != value


def tuition_unchanged_reason(ctx: StepContext, codigo_estudiante: str, valor_aprobado: str) -> str:
    """Why a reliquidación changes nothing, for the requester."""
    tuition = current_tuition(ctx.session, student_account(ctx, codigo_estudiante))
    if tuition is None:
        return ("No encontramos una matrícula financiera vigente en su estado de cuenta, así que no hay valor que "
                "reliquidar.")
    return (f"El valor aprobado, {format_money(amount(valor_aprobado, 'valor_aprobado'))}, es el mismo que ya "
            f"tiene cobrado su «{tuition.description}»; su matrícula financiera no cambia.")


def reliquidate_tuition(ctx: CaseStepContext, codigo_estudiante: str, valor_aprobado: str,
                        concepto: str) -> dict[str, Any]:
    """Counter-entry of this term's tuition charge and a new tuition charge with the approved value."""
    value = amount(valor_aprobado, "valor_aprobado")
    account = student_account(ctx, codigo_estudiante)
    old = current_tuition(ctx.session, account)
    if old is None:
        raise HandlerInputError("El estudiante no tiene una matrícula financiera vigente.", field="codigo_estudiante")
    if old.amount == value:
        raise HandlerInputError(f"El valor aprobado es el mismo que ya está cobrado ({format_money(value)}).",
                                field="valor_aprobado")
    why = f"Reliquidación de matrícula: {CONCEPTS.get(concepto, concepto)}"
    counter = reverse_charge(ctx, old, why, field="valor_aprobado")
    today = posting_date(ctx)
    new = charges.add_charge(ctx.session, account_code=account.code, kind=ChargeKind.TUITION,
                             description=_reliquidated(old.description), amount=value, charged_on=today,
                             due_on=max(old.due_on, today), audit=case_audit(ctx, why))
    balance = balance_of(ctx.session, account.id)
    summary = (f"Cartera reliquidó su matrícula financiera: el cobro anterior de {format_money(old.amount)} se "
               f"reversó y quedó cobrado el nuevo valor de {format_money(value)} («{new.description}»).")
    if balance < 0:
        summary += f" Queda con un saldo a favor de {format_money(-balance)}."
    elif balance > 0:
        summary += f" Su saldo por pagar es de {format_money(balance)}."
    return {"contrapartida": counter.id, "cargo_anterior": old.id, "valor_anterior": money_str(old.amount),
            "cargo_nuevo": new.id, "valor_nuevo": money_str(value), "saldo": money_str(balance), "resumen": summary}


def _reliquidated(description: str) -> str:
    base = description.removesuffix(" (reliquidada)")
    return f"{base} (reliquidada)"[:200]


# ---- Aplicación de beneficios ---------------------------------------------------------------------------------

BENEFITS = {"beca_excelencia": "Beca excelencia", "descuento_hermanos": "Descuento hermanos",
            "descuento_egresado": "Descuento egresado", "beca_deportiva": "Beca deportiva",
            "convenio_empresa": "Convenio empresa"}


def _benefit_label(beneficio: str) -> str:
    label = BENEFITS.get(beneficio)
    if label is None:
        raise HandlerInputError(f"No existe el beneficio «{beneficio}».", field="beneficio")
    return label


def benefit_amount(tuition: Charge, modalidad: str, porcentaje: object, valor: object) -> Decimal:
    """The COP value of the benefit: a percentage of the tuition, or a value."""
    if modalidad == "porcentaje":
        if isinstance(porcentaje, bool) or not isinstance(porcentaje, int) or not 1 <= porcentaje <= 100:
            raise HandlerInputError("El porcentaje debe ser un número entero entre 1 y 100.", field="porcentaje")
        return (tuition.amount * porcentaje / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if modalidad == "valor":
        return amount(valor, "valor")
    raise HandlerInputError(f"Modalidad «{modalidad}» desconocida; use porcentaje o valor.", field="modalidad")


def _applied(ctx: StepContext, tuition: Charge, label: str) -> ScholarshipCredit | None:
    """A credit of this benefit on ``tuition`` that no counter-entry took back."""
    for credit in ctx.session.scalars(select(ScholarshipCredit).where(ScholarshipCredit.charge_id == tuition.id)):
        if not credit.scholarship.casefold().startswith(label.casefold()):
            continue
        entry = ctx.session.scalars(select(Entry).where(Entry.scholarship_credit_id == credit.id,
                                                        Entry.reverses_id.is_(None))).first()
        if entry is None or counter_entry_of(ctx.session, entry) is None:
            return credit
    return None


def _benefit_problem(ctx: StepContext, codigo_estudiante: str, beneficio: str, modalidad: str, porcentaje: object,
                     valor: object) -> tuple[str | None, Charge | None, Decimal]:
    """(why it cannot be applied or None, this term's tuition, the benefit's value)."""
    label = _benefit_label(beneficio)
    tuition = current_tuition(ctx.session, student_account(ctx, codigo_estudiante))
    if tuition is None:
        return "No encontramos una matrícula financiera vigente a la cual aplicar el beneficio.", None, Decimal(0)
    value = benefit_amount(tuition, modalidad, porcentaje, valor)
    applied = _applied(ctx, tuition, label)
    if applied is not None:
        return (f"El beneficio «{applied.scholarship}» ya está aplicado a su «{tuition.description}» por "
                f"{format_money(applied.amount)}.", tuition, value)
    room = tuition.amount - standing_of(ctx.session, tuition).scholarships
    if value > room:
        return (f"El beneficio de {format_money(value)} supera lo que queda de su «{tuition.description}» después "
                f"de otras becas y descuentos ({format_money(room)}).", tuition, value)
    return None, tuition, value


def benefit_applicable(ctx: StepContext, codigo_estudiante: str, beneficio: str, modalidad: str,
                       porcentaje: object = None, valor: object = None) -> bool:
    """Gateway: not applied yet to this term's tuition, and no larger than what is left of that charge."""
    return _benefit_problem(ctx, codigo_estudiante, beneficio, modalidad, porcentaje, valor)[0] is None


def benefit_refusal(ctx: StepContext, codigo_estudiante: str, beneficio: str, modalidad: str,
                    porcentaje: object = None, valor: object = None) -> str:
    problem = _benefit_problem(ctx, codigo_estudiante, beneficio, modalidad, porcentaje, valor)[0]
    return problem or "El beneficio se puede aplicar."


def apply_benefit(ctx: CaseStepContext, codigo_estudiante: str, beneficio: str, modalidad: str,
                  porcentaje: object = None, valor: object = None) -> dict[str, Any]:
    """The benefit as a scholarship credit on this term's tuition (checked again: the account may have moved)."""
    problem, tuition, value = _benefit_problem(ctx, codigo_estudiante, beneficio, modalidad, porcentaje, valor)
    if problem is not None or tuition is None:
        raise HandlerInputError(problem or "Sin matrícula vigente.",
                                field="valor" if modalidad == "valor" else "porcentaje")
    label = _benefit_label(beneficio)
    name = f"{label} {porcentaje}%" if modalidad == "porcentaje" else label
    credit = charges.add_scholarship_credit(ctx.session, charge=tuition, scholarship=name, amount=value,
                                            granted_on=posting_date(ctx),
                                            audit=case_audit(ctx, f"Aplicación de beneficio: {name}"))
    balance = balance_of(ctx.session, tuition.account_id)
    summary = (f"Cartera aplicó el beneficio «{name}» por {format_money(value)} a su «{tuition.description}».")
    summary += (f" Queda con un saldo a favor de {format_money(-balance)}." if balance < 0 else
                f" Su saldo por pagar es de {format_money(balance)}.")
    return {"beca": credit.id, "beneficio": name, "valor": money_str(value), "saldo": money_str(balance),
            "resumen": summary}
