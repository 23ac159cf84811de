"""Mis pagos: payment history and paid invoices, each printable one by one or as a list (PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template

from engine.db import utcnow
from handlers.oficina.history import (
    PaidInvoiceRow,
    PaymentRow,
    paid_invoice_of,
    paid_invoices,
    payment_history,
    payment_of,
)
from handlers.oficina.links import LinkedAccount
from webui.context import database, roles_required
from webui.filters import local_time, money
from webui.pdf import PdfDocument, Table, pdf_response
from webui.views.oficina import REQUESTER, office_context

bp = Blueprint("oficina_history", __name__)


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _account_pairs(account: LinkedAccount) -> list[tuple[str, str]]:
    return [("Cuenta", account.code), ("Titular", account.name), ("Documento", account.document_id or "—"),
            ("Programa", account.program or "—"), ("Impreso el", local_time(utcnow()))]


def _account_document(account: LinkedAccount, title: str, pairs: Sequence[tuple[str, str]] = ()) -> PdfDocument:
    """A document opened by the account's data, then ``pairs``."""
    return PdfDocument(title, f"Cuenta {account.code} · {account.name}").pairs([*_account_pairs(account), *pairs])


def _list_pdf(account: LinkedAccount, title: str, heading: str, table: Table, empty: str, filename: str) -> Response:
    """A printed list: the account, then its rows, or ``empty`` when there are none."""
    document = _account_document(account, title).heading(f"{heading} ({len(table.rows)})")
    if table.rows:
        document.table(table)
    else:
        document.paragraph(empty)
    return pdf_response(document.render(), filename)


@bp.get("/oficina/cuentas/<code>/pagos")
@roles_required(REQUESTER)
def payments(code: str) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        rows = payment_history(session, account_id)
    return render_template("oficina/payments.html", office=office, office_section="pagos", tab="pagos",
                           payments=rows, voucher="oficina_pay.voucher_pdf" in current_app.view_functions)


@bp.get("/oficina/cuentas/<code>/facturas-pagadas")
@roles_required(REQUESTER)
def paid(code: str) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        rows = paid_invoices(session, account_id)
    return render_template("oficina/paid_invoices.html", office=office, office_section="pagos", tab="facturas",
                           invoices=rows)


def _payment_table(rows: Sequence[PaymentRow]) -> Table:
    return Table(("Fecha", "Número", "Medio", "Valor", "Estado"),
                 [(_day(p.paid_on), p.number, p.channel, money(p.amount), p.status) for p in rows],
                 widths=(2, 2.5, 2, 2.5, 2), align_right=frozenset({3}))


@bp.get("/oficina/cuentas/<code>/pagos.pdf")
@roles_required(REQUESTER)
def payments_pdf(code: str) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        rows = payment_history(session, account_id)
    return _list_pdf(office.current, "Historial de pagos", "Pagos", _payment_table(rows),
                     "La cuenta no tiene pagos.", f"historial-pagos-{office.current.code}.pdf")


@bp.get("/oficina/cuentas/<code>/pagos/<number>.pdf")
@roles_required(REQUESTER)
def payment_pdf(code: str, number: str) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        row = payment_of(session, account_id, number)
    if row is None:
        abort(404, description="La cuenta no tiene ese pago.")
    document = _account_document(office.current, f"Comprobante de pago {row.number}", [
        ("Número de pago", row.number), ("Fecha", _day(row.paid_on)), ("Medio", row.channel),
        ("Valor", money(row.amount)), ("Estado", row.status),
        *([("Referencia en línea", row.order_reference)] if row.order_reference else [])])
    if row.items:
        document.heading("Aplicado a").table(Table(("Concepto", "Valor"),
                                                   [(i.description, money(i.amount)) for i in row.items],
                                                   widths=(4, 2), align_right=frozenset({1})))
    return pdf_response(document.render(), f"pago-{row.number}.pdf")


def _invoice_table(rows: Sequence[PaidInvoiceRow]) -> Table:
    return Table(("Concepto", "Vencía", "Valor", "Pagada el", "Pagos"),
                 [(r.description, _day(r.due_on), money(r.amount), _day(r.paid_on), ", ".join(r.payments) or "—")
                  for r in rows], widths=(4, 2, 2.5, 2, 3), align_right=frozenset({2}))


@bp.get("/oficina/cuentas/<code>/facturas-pagadas.pdf")
@roles_required(REQUESTER)
def paid_pdf(code: str) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        rows = paid_invoices(session, account_id)
    return _list_pdf(office.current, "Historial de facturas pagadas", "Facturas pagadas", _invoice_table(rows),
                     "La cuenta no tiene facturas pagadas.", f"facturas-pagadas-{office.current.code}.pdf")


@bp.get("/oficina/cuentas/<code>/facturas-pagadas/<int:charge_id>.pdf")
@roles_required(REQUESTER)
def paid_invoice_pdf(code: str, charge_id: int) -> Any:
    with database().read() as session:
        office, account_id = office_context(session, code)
        row = paid_invoice_of(session, account_id, charge_id)
    if row is None:
        abort(404, description="La cuenta no tiene esa factura pagada.")
    document = _account_document(office.current, f"Factura pagada {row.charge_id}", [
        ("Factura", str(row.charge_id)), ("Concepto", row.description), ("Vencía", _day(row.due_on)),
        ("Valor", money(row.amount)), ("Pagada el", _day(row.paid_on)), ("Pagos", ", ".join(row.payments) or "—")])
    return pdf_response(document.render(), f"factura-pagada-{row.charge_id}.pdf")
