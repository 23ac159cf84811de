from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from handlers import pro_maa_16 as h
from handlers.errors import HandlerInputError
from handlers.ledger import account_statement, statement_json, statement_text
from handlers.ledger.statement_render import format_date, format_money

from .conftest import NOW, Ctx


def test_money_and_date_formats() -> None:
    assert format_money(Decimal("1752770")) == "$ 1.752.770,00"
    assert format_money(Decimal("-450000.5")) == "-$ 450.000,50"
    assert format_money(Decimal("0")) == "$ 0,00"
    assert format_date(date(2026, 1, 5)) == "05/01/2026"


def test_statement_of_a_student(session: Session, demo: object) -> None:
    statement = account_statement(session, "20261001", now=NOW)
    assert statement.as_of == date(2026, 11, 23)
    assert [(e.kind.value, e.amount) for e in statement.entries] == [
        ("charge", Decimal("4500000.00")),
        ("charge", Decimal("45000.00")),
        ("scholarship", Decimal("-450000.00")),
        ("credit", Decimal("-1707770.00")),
        ("credit", Decimal("-45000.00")),
    ]
    assert statement.entries[-1].balance == statement.balance == Decimal("2342230.00")
    assert statement.credit_balance == Decimal("0.00")
    assert statement.overdue_balance == Decimal("2342230.00")
    assert account_statement(session, "20261001", as_of=date(2026, 1, 1)).overdue_balance == Decimal("0.00")


def test_statement_text_is_spanish_and_formatted(ctx: Ctx) -> None:
    h.annul_credit(ctx, payment="PG-1001", reason="correccion_estimacion")
    text = statement_text(account_statement(ctx.session, "20261001", now=NOW))
    assert text.startswith("ESTADO DE CUENTA POR ALUMNO\n")
    assert "Cuenta:          20261001 - Ana María Rojas Díaz" in text
    assert "Campus/plantel:  BOG - Bogotá" in text
    assert "Fecha de corte:  23/11/2026" in text
    assert "20/01/2026" in text and "-$ 1.707.770,00" in text
    assert "Contrapartida" in text and "reversa mov." in text
    assert "Saldo total:     $ 4.095.000,00" in text
    assert "Saldo a favor:   $ 0,00" in text
    assert "Saldo vencido:   $ 4.095.000,00" in text


def test_statement_json(ctx: Ctx) -> None:
    h.annul_credit(ctx, payment="PG-1003", reason="baja_academica")
    data = statement_json(account_statement(ctx.session, "20261003", now=NOW))
    json.dumps(data)  # serializable as is
    assert data["account"] == {
        "code": "20261003",
        "name": "Laura Valentina Ospina Mejía",
        "kind": "student",
        "document_id": "1040506070",
        "program": "Psicología",
        "campus": "MED",
        "campus_name": "Medellín",
    }
    assert data["as_of"] == "2026-11-23"
    last = data["entries"][-1]
    assert last["kind"] == "counter_entry" and last["amount"] == "1200000.00" and last["date"] == "2026-11-23"
    credit = next(e for e in data["entries"] if e["kind"] == "credit")
    assert last["reverses_id"] == credit["id"]
    assert data["totals"] == {
        "balance": "4838500.00",
        "credit_balance": "0.00",
        "overdue_balance": "4838500.00",
    }


def test_generic_bag_statement_shows_credit_balance(ctx: Ctx) -> None:
    h.move_to_generic_bag(ctx, payment="PG-1005")
    statement = account_statement(ctx.session, "GEN-GLOBAL", now=NOW)
    assert statement.credit_balance == Decimal("350000.00")
    text = statement_text(statement)
    assert "Saldo a favor:   $ 350.000,00" in text and "Sin campus" in text


def test_empty_statement(session: Session, demo: object) -> None:
    text = statement_text(account_statement(session, "GEN-BOG", now=NOW))
    assert "Sin movimientos." in text and "Saldo total:     $ 0,00" in text


def test_unknown_account(session: Session, demo: object) -> None:
    with pytest.raises(HandlerInputError) as err:
        account_statement(session, "20269999")
    assert err.value.field == "account"
