"""Cartera's service tasks check again what their gateway checked: a stale gateway answer never writes the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.casos import charge_reversals, tuition_adjustments
from handlers.casos.demo import seed_case_demo
from handlers.demo import DemoPayment
from handlers.errors import HandlerInputError
from handlers.ledger.models import Entry
from tests.handlers.conftest import NOW, Ctx


@pytest.fixture
def ctx(session: Session, demo: list[DemoPayment]) -> Ctx:
    seed_case_demo(session, NOW)
    return Ctx(session=session, actor="cartera.juan", case_number="SF-2026-000001")


def _entries(session: Session) -> int:
    return int(session.scalar(select(func.count(Entry.id))) or 0)


@pytest.mark.parametrize("cargo,words", [("Matrícula 2026A", "Reversiones de matrícula"),
                                         ("Carné estudiantil", "ya fue reversado"),
                                         ("Derecho de piscina", "No encontramos")])
def test_reverse_fee_refuses_what_is_not_a_fee_in_force(ctx: Ctx, cargo: str, words: str) -> None:
    count = _entries(ctx.session)
    with pytest.raises(HandlerInputError) as refused:
        charge_reversals.reverse_fee(ctx, "20264002", cargo, "cobro_errado")
    assert refused.value.field == "cargo" and words in refused.value.message
    assert _entries(ctx.session) == count


def test_a_fee_is_reversed_once(ctx: Ctx) -> None:
    done = charge_reversals.reverse_fee(ctx, "20264002", "derecho de grado", "otro")
    assert done["valor"] == "380000.00"
    with pytest.raises(HandlerInputError) as refused:
        charge_reversals.reverse_fee(ctx, "20264002", "Derecho de grado", "otro")
    assert refused.value.field == "cargo"


def test_a_duplicate_is_reversed_once_then_the_charge_is_explained(ctx: Ctx) -> None:
    charge_reversals.reverse_duplicate_charge(ctx, "20264005", "Derecho de examen supletorio")
    count = _entries(ctx.session)
    with pytest.raises(HandlerInputError) as refused:
        charge_reversals.reverse_duplicate_charge(ctx, "20264005", "Derecho de examen supletorio")
    assert refused.value.field == "cargo_cuestionado" and _entries(ctx.session) == count
    text = charge_reversals.explain_charge(ctx, "20264005", "Derecho de examen supletorio", "0.00")["explicacion"]
    assert "$ 95.000,00" in text and "pendiente: $ 95.000,00" in text


def test_reliquidation_refuses_the_same_value_and_a_student_without_tuition(ctx: Ctx) -> None:
    count = _entries(ctx.session)
    with pytest.raises(HandlerInputError) as refused:
        tuition_adjustments.reliquidate_tuition(ctx, "20264001", "5000000.00", "otro")
    assert refused.value.field == "valor_aprobado"
    with pytest.raises(HandlerInputError) as unknown:
        tuition_adjustments.reliquidate_tuition(ctx, "99999999", "4000000.00", "otro")
    assert unknown.value.field == "codigo_estudiante"
    assert _entries(ctx.session) == count


def test_a_benefit_is_applied_once_and_never_above_the_charge(ctx: Ctx) -> None:
    done = tuition_adjustments.apply_benefit(ctx, "20264003", "beca_deportiva", "porcentaje", 50, None)
    assert done["valor"] == "2400000.00" and Decimal(done["saldo"]) == Decimal("0.00")
    count = _entries(ctx.session)
    with pytest.raises(HandlerInputError) as again:
        tuition_adjustments.apply_benefit(ctx, "20264003", "beca_deportiva", "porcentaje", 10, None)
    assert again.value.field == "porcentaje" and "ya está aplicado" in again.value.message
    with pytest.raises(HandlerInputError) as above:
        tuition_adjustments.apply_benefit(ctx, "20264003", "convenio_empresa", "valor", None, "2400000.01")
    assert above.value.field == "valor" and "supera" in above.value.message
    with pytest.raises(HandlerInputError) as unknown:
        tuition_adjustments.apply_benefit(ctx, "20264003", "beca_total", "valor", None, "1.00")
    assert unknown.value.field == "beneficio"
    assert _entries(ctx.session) == count
