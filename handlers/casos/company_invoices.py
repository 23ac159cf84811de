"""Factura para empresas: the electronic invoice of a student's payment, or of an amount the student owes, in the
name of the sponsoring company (customer_kind company, customer_id its NIT).

A payment is invoiced once: one with a standing (issued or used) invoice is refused, one whose invoice was
annulled gets the company's invoice as its replacement. An amount without a payment is for a company about to
pay, so it can never exceed what the student owes.
"""

from __future__ import annotations

from typing import Any

from handlers.casos.common import amount, case_audit, posting_date, student_account
from handlers.casos.nit import nit_problem, parse_nit
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.accounts import find_account
from handlers.ledger.invoices import STATUS_LABELS, current_invoice_of, invoice_status, issue_invoice
from handlers.ledger.journal import ZERO, balance_of
from handlers.ledger.kinds import CustomerKind, InvoiceEventKind
from handlers.ledger.models import Invoice, Payment
from handlers.ledger.payments import find_payment
from handlers.ledger.statement_render import format_money
from handlers.ledger.values import money_str
from handlers.mail.outbox import queue_email


def company_payment_problem(ctx: StepContext, codigo_estudiante: str, pago: str | None) -> str:
    """Why the payment cannot be invoiced to a company (Spanish, for the requester); "" when it can, or when the
    request is for an amount instead of a payment."""
    if pago in (None, ""):
        return ""
    payment = find_payment(ctx.session, str(pago).strip())
    account = find_account(ctx.session, str(codigo_estudiante).strip())
    if payment is None or account is None or payment.account_id != account.id:
        return f"No encontramos el pago {pago} en el estado de cuenta del estudiante {codigo_estudiante}."
    standing = _standing_invoice(ctx, payment)
    if standing is not None:
        status = STATUS_LABELS[invoice_status(ctx.session, standing)]
        return (f"El pago {payment.number} ya tiene la factura {standing.number} ({status}) a nombre de "
                f"{standing.customer_name}; para facturarlo a la empresa primero debe anularse.")
    return ""


def company_payment_invoiceable(ctx: StepContext, codigo_estudiante: str, pago: str | None) -> bool:
    """Gateway: the payment is the student's and has no standing invoice (or a value is asked instead)."""
    return company_payment_problem(ctx, codigo_estudiante, pago) == ""


def invoice_company(ctx: CaseStepContext, codigo_estudiante: str, razon_social: str, nit: str,
                    correo_facturacion: str, pago: str | None, valor: str | None) -> dict[str, Any]:
    """Issue the company's invoice and send it to its billing address; NIT, payment and amount checked again."""
    company = parse_nit(nit)
    if not isinstance(razon_social, str) or len(razon_social.strip()) < 3:
        raise HandlerInputError("Escriba la razón social de la empresa.", field="razon_social")
    account = student_account(ctx, codigo_estudiante)
    payment: Payment | None = None
    replaces: Invoice | None = None
    if pago not in (None, ""):
        problem = company_payment_problem(ctx, codigo_estudiante, pago)
        if problem:
            raise HandlerInputError(problem, field="pago")
        payment = find_payment(ctx.session, str(pago).strip())
        assert payment is not None
        replaces = current_invoice_of(ctx.session, payment.id)
        value = payment.amount
    elif valor in (None, ""):
        raise HandlerInputError("Indique el pago a facturar o el valor.", field="valor")
    else:
        value = amount(valor, "valor")
        owed = balance_of(ctx.session, account.id)
        if value > owed:
            raise HandlerInputError(f"El valor {format_money(value)} supera el saldo pendiente del estudiante, "
                                    f"{format_money(max(owed, ZERO))}.", field="valor")
    name = razon_social.strip()
    invoice = issue_invoice(ctx.session, customer_kind=CustomerKind.COMPANY, customer_id=str(company),
                            customer_name=name, amount=value, issued_on=posting_date(ctx),
                            payment_id=payment.id if payment else None, replaces=replaces,
                            audit=case_audit(ctx, f"Factura a {name} (NIT {company}) por {account.code}"))
    concept = f"el pago {payment.number}" if payment else "el saldo de matrícula"
    queue_email(ctx.session, kind="company_invoice", to=correo_facturacion,
                subject=f"Factura electrónica {invoice.number} - {name}",
                body=(f"Factura electrónica {invoice.number} a nombre de {name}, NIT {company}, por "
                      f"{format_money(value)}, correspondiente a {concept} del estudiante {account.name} "
                      f"({account.code}). Expedida el {invoice.issued_on:%d/%m/%Y}."),
                now=ctx.now, instance_ref=ctx.instance_ref)
    return {"factura": invoice.number, "valor": money_str(value), "valor_texto": format_money(value),
            "nit": str(company), "reemplaza": replaces.number if replaces else ""}


def company_nit_is_valid(ctx: StepContext, nit: str) -> bool:
    """Gateway: the company's NIT has the check digit DIAN's algorithm gives."""
    return nit_problem(nit) == ""


def company_nit_problem(ctx: StepContext, nit: str) -> str:
    """The NIT's problem in words for the requester's message ("" when valid)."""
    return nit_problem(nit)


def _standing_invoice(ctx: StepContext, payment: Payment) -> Invoice | None:
    current = current_invoice_of(ctx.session, payment.id)
    if current is None or invoice_status(ctx.session, current) is InvoiceEventKind.ANNULLED:
        return None
    return current
