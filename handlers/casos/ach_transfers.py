"""Transferencias empresariales vía ACH: a company paying a student's charges by ACH gets an instruction
document with the university's ACH account (not the collection account) and the reference to write."""

from __future__ import annotations

from typing import Any

from handlers.casos.common import amount, student_account
from handlers.casos.nit import nit_problem, parse_nit
from handlers.casos.treasury_documents import issue_document
from handlers.context import CaseStepContext, StepContext
from handlers.ledger.accounts import find_account
from handlers.ledger.kinds import AccountKind
from handlers.ledger.statement_render import format_money

#: The account Tesorería gives companies for ACH transfers (fixed; a change of bank is a change of this file).
UNIVERSITY_NAME = "Universidad Autónoma de Occidente"
UNIVERSITY_NIT = "890305881-1"
ACH_BANK = "Banco de Occidente"
ACH_ACCOUNT_TYPE = "Corriente"
ACH_ACCOUNT_NUMBER = "014-08123-7"


def ach_reference(codigo_estudiante: str, case_number: str | None) -> str:
    """What the company writes in the transfer's reference so Tesorería can apply it: "20262001-SF-2026-000123"."""
    return f"{str(codigo_estudiante).strip()}-{case_number or ''}".rstrip("-")


def ach_request_problem(ctx: StepContext, nit: str, codigo_estudiante: str) -> str:
    """Why no ACH instruction can be issued (Spanish, for the requester); "" when one can."""
    problem = nit_problem(nit)
    if problem:
        return problem
    account = find_account(ctx.session, str(codigo_estudiante).strip())
    if account is None or account.kind != AccountKind.STUDENT:
        return f"No existe una cuenta de estudiante con el código {codigo_estudiante} a la cual aplicar el pago."
    return ""


def ach_request_is_valid(ctx: StepContext, nit: str, codigo_estudiante: str) -> bool:
    """Gateway: is the company's NIT valid (DIAN check digit) and does the student's account exist?"""
    return not ach_request_problem(ctx, nit, codigo_estudiante)


def issue_ach_instruction(ctx: CaseStepContext, codigo_estudiante: str, empresa: str, nit: str,
                          valor_estimado: str, concepto: str) -> dict[str, Any]:
    """The ``instruccion_ach`` document; the NIT and the account are checked again here."""
    company_nit = parse_nit(nit)
    value = amount(valor_estimado, "valor_estimado")
    account = student_account(ctx, codigo_estudiante)
    reference = ach_reference(account.code, ctx.case_number)
    document = issue_document(
        ctx, kind="instruccion_ach", account=account, amount=value,
        title="Instrucción de pago por transferencia ACH",
        lines=[("Empresa que paga", f"{empresa.strip()} (NIT {company_nit})"),
               ("Concepto", concepto.strip()),
               ("Valor a transferir", format_money(value)),
               ("Banco destino", ACH_BANK),
               ("Tipo de cuenta", ACH_ACCOUNT_TYPE),
               ("Número de cuenta", ACH_ACCOUNT_NUMBER),
               ("Titular", UNIVERSITY_NAME),
               ("NIT del titular", UNIVERSITY_NIT),
               ("Referencia", reference),
               ("Indicaciones", "Escriba la referencia en el campo de descripción o adenda de la transferencia "
                                "y envíe el soporte desde «Mis casos»; sin referencia el pago no se aplica.")],
        reason=f"Instrucción ACH para {empresa.strip()}")
    return {"numero": document.number, "valor_texto": format_money(value), "referencia": reference,
            "nit": str(company_nit), "banco": ACH_BANK, "tipo_cuenta": ACH_ACCOUNT_TYPE,
            "numero_cuenta": ACH_ACCOUNT_NUMBER, "titular": UNIVERSITY_NAME, "nit_universidad": UNIVERSITY_NIT}
