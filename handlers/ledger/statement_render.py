"""The account statement as Spanish text (money "$ 1.752.770,00", dates dd/mm/yyyy) and as JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from handlers.ledger.kinds import EntryKind
from handlers.ledger.statement import Statement
from handlers.ledger.values import CENT, money_str

KIND_LABELS = {
    EntryKind.CHARGE: "Cargo",
    EntryKind.CREDIT: "Abono",
    EntryKind.SCHOLARSHIP: "Beca",
    EntryKind.UNAPPLIED_PAYMENT: "Pago sin aplicar",
    EntryKind.COUNTER_ENTRY: "Contrapartida",
    EntryKind.REFUND: "Devolución de saldo a favor",
    EntryKind.TRANSFER_OUT: "Traslado de saldo (sale)",
    EntryKind.TRANSFER_IN: "Traslado de saldo (entra)",
}
ACCOUNT_KIND_LABELS = {
    "student": "Estudiante",
    "generic": "Usuario genérico (bolsa genérica)",
    "campus_generic": "Autoservicio Genérico de campus (bolsa genérica)",
}


def format_money(value: Decimal) -> str:
    """Colombian format: "$ 1.752.770,00"; negatives "-$ 1.752.770,00"."""
    amount = value.quantize(CENT)
    text = f"{abs(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-$ {text}" if amount < 0 else f"$ {text}"


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def statement_text(statement: Statement) -> str:
    account = statement.account
    campus = f"{account.campus_code} - {account.campus_name}" if account.campus_code else "Sin campus"
    lines = [
        "ESTADO DE CUENTA POR ALUMNO",
        f"Cuenta:          {account.code} - {account.name}",
        f"Tipo de cuenta:  {ACCOUNT_KIND_LABELS.get(account.kind, account.kind)}",
        f"Documento:       {account.document_id or '-'}",
        f"Programa:        {account.program or '-'}",
        f"Campus/plantel:  {campus}",
        f"Fecha de corte:  {format_date(statement.as_of)}",
        "",
        f"{'Fecha':<11} {'Movimiento':<14} {'Concepto':<44} {'Referencia':<11} {'Valor':>18} {'Saldo':>18}",
        "-" * 121,
    ]
    if not statement.entries:
        lines.append("Sin movimientos.")
    for entry in statement.entries:
        concept = entry.description
        if entry.reverses_entry_id is not None:
            concept = f"{concept} (reversa mov. {entry.reverses_entry_id})"
        lines.append(
            f"{format_date(entry.date):<11} {KIND_LABELS[entry.kind]:<14} {concept[:44]:<44} "
            f"{entry.reference or '':<11} {format_money(entry.amount):>18} {format_money(entry.balance):>18}"
        )
    lines += [
        "-" * 121,
        f"Saldo total:     {format_money(statement.balance)}",
        f"Saldo a favor:   {format_money(statement.credit_balance)}",
        f"Saldo vencido:   {format_money(statement.overdue_balance)}",
    ]
    return "\n".join(lines) + "\n"


def statement_json(statement: Statement) -> dict[str, Any]:
    """JSON-serializable: amounts as strings ("150000.00"), dates ISO (yyyy-mm-dd)."""
    account = statement.account
    return {
        "account": {
            "code": account.code,
            "name": account.name,
            "kind": account.kind,
            "document_id": account.document_id,
            "program": account.program,
            "campus": account.campus_code,
            "campus_name": account.campus_name,
        },
        "as_of": statement.as_of.isoformat(),
        "entries": [
            {
                "id": entry.entry_id,
                "date": entry.date.isoformat(),
                "kind": entry.kind.value,
                "description": entry.description,
                "reference": entry.reference,
                "amount": money_str(entry.amount),
                "balance": money_str(entry.balance),
                "reverses_id": entry.reverses_entry_id,
            }
            for entry in statement.entries
        ],
        "totals": {
            "balance": money_str(statement.balance),
            "credit_balance": money_str(statement.credit_balance),
            "overdue_balance": money_str(statement.overdue_balance),
        },
    }
