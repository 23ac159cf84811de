"""Traslados de saldos: part of a student's credit balance moved to another student's account (a sibling's, say).

The destination must be another student account whose holder is the person the requester names: every word of
``nombre_destino`` must appear in the account's name (accents and case aside), so that a mistyped code does not
send money to a stranger. The amount never exceeds the source's credit balance.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from handlers.casos.common import amount, case_audit, credit_balance_of, posting_date, student_account
from handlers.context import CaseStepContext, StepContext
from handlers.errors import HandlerInputError
from handlers.ledger.accounts import find_account
from handlers.ledger.journal import post_entry
from handlers.ledger.kinds import AccountKind, EntryKind
from handlers.ledger.statement_render import format_money


def _words(name: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return {word for word in plain.lower().replace("-", " ").split() if word}


def destination_problem(ctx: StepContext, codigo_estudiante: str, codigo_destino: str,
                        nombre_destino: str) -> str:
    """Why the balance cannot go to ``codigo_destino`` (Spanish, for the requester); "" when it can."""
    source, target = str(codigo_estudiante).strip(), str(codigo_destino).strip()
    if source == target:
        return "La cuenta destino es la misma cuenta de origen; indique el código del otro estudiante."
    account = find_account(ctx.session, target)
    if account is None or account.kind != AccountKind.STUDENT:
        return f"No existe una cuenta de estudiante con el código {target}."
    given = _words(str(nombre_destino))
    if not given or not given <= _words(account.name):
        return (f"El nombre «{nombre_destino}» no corresponde al titular de la cuenta {target}. Verifique el "
                "código y el nombre del estudiante que recibe el saldo.")
    return ""


def transfer_destination_ok(ctx: StepContext, codigo_estudiante: str, codigo_destino: str,
                            nombre_destino: str) -> bool:
    """Gateway: does the destination account exist, differ from the source and belong to the named student?"""
    return not destination_problem(ctx, codigo_estudiante, codigo_destino, nombre_destino)


def transfer_fits_balance(ctx: StepContext, codigo_estudiante: str, monto: str) -> bool:
    """Gateway: does the amount fit in the source's credit balance?"""
    return amount(monto, "monto") <= credit_balance_of(ctx, codigo_estudiante)


def credit_balance_text(ctx: StepContext, codigo_estudiante: str) -> str:
    """The credit balance as the requester reads it: "$ 1.000.000,00"."""
    return format_money(credit_balance_of(ctx, codigo_estudiante))


def transfer_credit_balance(ctx: CaseStepContext, codigo_estudiante: str, codigo_destino: str,
                            nombre_destino: str, monto: str) -> dict[str, Any]:
    """Post TRANSFER_OUT on the source and TRANSFER_IN on the destination, same amount, both referencing the
    case, in the step's one transaction. Both conditions are checked again: the balance may have moved since
    the gateway."""
    value = amount(monto, "monto")
    problem = destination_problem(ctx, codigo_estudiante, codigo_destino, nombre_destino)
    if problem:
        raise HandlerInputError(problem, field="codigo_destino")
    source = student_account(ctx, codigo_estudiante)
    target = student_account(ctx, codigo_destino, field="codigo_destino")
    balance = credit_balance_of(ctx, codigo_estudiante)
    if value > balance:
        raise HandlerInputError(f"El traslado de {format_money(value)} supera el saldo a favor de "
                                f"{format_money(balance)}.", field="monto")
    audit = case_audit(ctx, f"Traslado de saldo a favor de {source.code} a {target.code}")
    on = posting_date(ctx)
    out = post_entry(ctx.session, account_id=source.id, kind=EntryKind.TRANSFER_OUT, entry_on=on, amount=value,
                     description=f"Traslado de saldo a favor a {target.name} ({target.code})",
                     reference=ctx.case_number, audit=audit)
    into = post_entry(ctx.session, account_id=target.id, kind=EntryKind.TRANSFER_IN, entry_on=on, amount=-value,
                      description=f"Traslado de saldo a favor recibido de {source.name} ({source.code})",
                      reference=ctx.case_number, audit=audit)
    return {"salida": out.id, "entrada": into.id, "monto": str(value), "monto_texto": format_money(value),
            "destino": target.code, "destino_nombre": target.name,
            "saldo_a_favor_restante_texto": format_money(balance - value)}
