"""Transferencias internacionales: instructions for paying a student's charges from abroad, with an estimate in
pesos from a fixed reference rate table.

The rates below are Tesorería's planning rates, not the market's: the bank converts at the rate of the day the
money arrives, so the estimate tells the payer roughly what will be credited, and the instruction says so.
Change them here (one table, Decimal, COP per unit of currency) when Tesorería publishes new ones.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from handlers.casos.common import amount, student_account
from handlers.casos.treasury_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.statement import account_statement
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import CENT, money

#: COP per unit of foreign currency (Tesorería's reference rates for estimates).
REFERENCE_RATES: dict[str, Decimal] = {"USD": Decimal("4000.00"), "EUR": Decimal("4350.00")}

BENEFICIARY = "Universidad Autónoma de Occidente"
BENEFICIARY_NIT = "890305881-1"
BENEFICIARY_ADDRESS = "Calle 25 # 115-85, Cali, Colombia"
BENEFICIARY_BANK = "Banco de Occidente, Cali, Colombia"
BENEFICIARY_SWIFT = "OCCICOBC"
BENEFICIARY_ACCOUNT = "014-08456-2"
#: The intermediary (correspondent) bank of each currency.
INTERMEDIARIES = {"USD": "Citibank N.A., New York (SWIFT CITIUS33, ABA 021000089)",
                  "EUR": "Deutsche Bank AG, Frankfurt (SWIFT DEUTDEFF)"}


def _rate(moneda: str) -> Decimal:
    rate = REFERENCE_RATES.get(str(moneda).strip().upper())
    if rate is None:
        raise HandlerInputError(f"La moneda «{moneda}» no se recibe; use {' o '.join(REFERENCE_RATES)}.",
                                field="moneda")
    return rate


def estimate_cop(moneda: str, valor_moneda: str) -> Decimal:
    """The foreign amount in pesos at the reference rate, to the cent."""
    return money(amount(valor_moneda, "valor_moneda") * _rate(moneda)).quantize(CENT)


def pending_balance(ctx: StepContext, codigo_estudiante: str) -> Decimal:
    """What the account owes today (0 when it owes nothing or has a credit balance)."""
    balance = account_statement(ctx.session, str(codigo_estudiante).strip(), now=ctx.now).balance
    return max(balance, Decimal("0.00"))


def international_problem(ctx: StepContext, codigo_estudiante: str, moneda: str, valor_moneda: str) -> str:
    """Why no instruction is issued (Spanish, for the requester); "" when the estimate fits what is owed.

    A payment from abroad above what the account owes would leave a credit balance that can only be refunded
    abroad at the payer's cost, so Tesorería gives instructions only up to the pending balance."""
    owed = pending_balance(ctx, codigo_estudiante)
    if owed <= 0:
        return (f"La cuenta {codigo_estudiante} no tiene saldo pendiente de pago, así que no hay un valor que "
                "transferir desde el exterior.")
    estimate = estimate_cop(moneda, valor_moneda)
    if estimate > owed:
        most = (owed / _rate(moneda)).quantize(CENT, rounding=ROUND_DOWN)
        return (f"El valor estimado, {valor_moneda} {moneda} ≈ {format_money(estimate)}, supera el saldo pendiente "
                f"de la cuenta, {format_money(owed)}. Puede transferir hasta {most} {moneda}.")
    return ""


def international_estimate_fits(ctx: StepContext, codigo_estudiante: str, moneda: str, valor_moneda: str) -> bool:
    """Gateway: does the estimate in pesos fit in what the student's account owes?"""
    return not international_problem(ctx, codigo_estudiante, moneda, valor_moneda)


def issue_international_instruction(ctx: CaseStepContext, codigo_estudiante: str, pais: str, moneda: str,
                                    valor_moneda: str, pagador: str) -> dict[str, Any]:
    """The ``instruccion_internacional`` document (amount: the estimate in pesos); the estimate is checked
    against the pending balance again here."""
    problem = international_problem(ctx, codigo_estudiante, moneda, valor_moneda)
    if problem:
        raise HandlerInputError(problem, field="valor_moneda")
    currency = str(moneda).strip().upper()
    foreign = amount(valor_moneda, "valor_moneda")
    rate = _rate(currency)
    estimate = estimate_cop(currency, valor_moneda)
    account = student_account(ctx, codigo_estudiante)
    reference = f"{account.code}-{ctx.case_number or ''}".rstrip("-")
    document = issue_document(
        ctx, kind="instruccion_internacional", account=account, amount=estimate,
        title="Instrucción de pago por transferencia internacional",
        lines=[("Pagador", f"{pagador.strip()} ({pais.strip()})"),
               ("Valor a transferir", f"{foreign} {currency}"),
               ("Tasa de referencia", f"{format_money(rate)} por 1 {currency}"),
               ("Valor estimado en pesos", format_money(estimate)),
               ("Banco beneficiario", BENEFICIARY_BANK),
               ("SWIFT/BIC", BENEFICIARY_SWIFT),
               ("Banco intermediario", INTERMEDIARIES[currency]),
               ("Beneficiario", f"{BENEFICIARY}, NIT {BENEFICIARY_NIT}, {BENEFICIARY_ADDRESS}"),
               ("Cuenta del beneficiario", BENEFICIARY_ACCOUNT),
               ("Referencia", reference),
               ("Indicaciones", "Escriba la referencia en el campo de información para el beneficiario. El banco "
                                "convierte a la tasa del día en que llega el dinero: el valor en pesos es una "
                                "estimación y las comisiones de los bancos corren por cuenta del pagador.")],
        reason=f"Instrucción de transferencia internacional ({currency}) de {pagador.strip()}")
    return {"numero": document.number, "referencia": reference, "valor": f"{foreign} {currency}",
            "estimado_texto": format_money(estimate), "tasa_texto": format_money(rate), "swift": BENEFICIARY_SWIFT,
            "intermediario": INTERMEDIARIES[currency], "beneficiario": BENEFICIARY}
