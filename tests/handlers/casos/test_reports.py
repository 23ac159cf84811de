"""The case reports against figures worked out by hand from rows written directly.

NOW is Monday 23/11/2026 10:30 in Bogotá. Durations are chosen so every median and percentile can be checked on
paper; some instants sit on either side of a Bogotá midnight that is a different day in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.db import Database
from handlers.casos import reports
from handlers.casos.models import CaseEvent, CaseFile

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
DEVOLUCION, FACTURA = ("devolucion_saldos", "Devolución de saldos"), ("factura_empresas", "Factura para empresas")
TRASLADO = ("traslado_saldos", "Traslados de saldos")
ACLARACION = ("aclaracion_estado_cuenta", "Aclaración de otras inquietudes sobre el estado de cuenta")


def _case(number: int, kind: tuple[str, str], unit: str, status: str, opened_at: datetime,
          closed_at: datetime | None = None, escalated_at: datetime | None = None) -> CaseFile:
    return CaseFile(number=f"SF-2026-{number:06d}", case_type=kind[0], type_name=kind[1], unit=unit,
                    requester="estudiante.camila", student_code=f"2026{number:04d}", document_id="1010",
                    student_name=f"Estudiante {number}", contact_email="c@example.edu", contact_mobile="3000000000",
                    program="Economía", subject=f"{kind[1]} >> Servicios Financieros", status=status,
                    opened_at=opened_at, updated_at=closed_at or opened_at, closed_at=closed_at,
                    escalated_at=escalated_at)


def _closed(number: int, kind: tuple[str, str], status: str, closed_at: datetime, hours: float) -> CaseFile:
    return _case(number, kind, "tesoreria" if kind == DEVOLUCION else "facturacion", status,
                 closed_at - timedelta(hours=hours), closed_at)


@pytest.fixture
def cases(db: Database) -> dict[str, int]:
    """Six open cases, six closed ones, and their escalations; returns case ids by number."""
    rows = [
        _case(1, DEVOLUCION, "tesoreria", "en_revision", NOW - 5 * D, escalated_at=NOW - 2 * D),
        _case(2, DEVOLUCION, "tesoreria", "registrado", NOW - 1 * D),
        _case(3, TRASLADO, "cartera", "requiere_informacion", NOW - 3 * D, escalated_at=NOW - 1 * D),
        _case(4, FACTURA, "facturacion", "en_revision", NOW - 10 * D),
        _case(5, ACLARACION, "cartera", "registrado", NOW - 2 * H),
        _case(6, ACLARACION, "credito", "registrado", NOW - 4 * H),
        _closed(11, DEVOLUCION, "resuelto", NOW - 1 * D, 10),  # this month
        _closed(12, DEVOLUCION, "rechazado", datetime(2026, 11, 1, 5, 30, tzinfo=UTC), 20),  # 1/11 00:30 Bogotá
        _closed(13, DEVOLUCION, "resuelto", datetime(2026, 11, 1, 4, 0, tzinfo=UTC), 30),  # 31/10 23:00 Bogotá
        _closed(14, DEVOLUCION, "cerrado", NOW - 40 * D, 100),
        _closed(15, FACTURA, "cerrado", NOW - 2 * H, 48),  # this month
        _closed(16, DEVOLUCION, "resuelto", NOW - 200 * D, 1000),  # out of the 90-day window
    ]
    with db.write() as session:
        session.add_all(rows)
        session.flush()
        ids = {c.number: c.id for c in rows}

        def event(number: int, kind: str, at: datetime) -> CaseEvent:
            return CaseEvent(case_id=ids[f"SF-2026-{number:06d}"], kind=kind, at=at, actor="sistema")

        session.add_all([
            event(1, "escalated", NOW - 2 * D),  # Sat 21/11: week of 16/11, tesorería
            event(3, "escalated", NOW - 1 * D),  # Sun 22/11: week of 16/11, cartera
            event(3, "escalated", datetime(2026, 11, 23, 4, 0, tzinfo=UTC)),  # Sun 22/11 23:00 Bogotá: 16/11
            event(4, "escalated", datetime(2026, 11, 23, 6, 0, tzinfo=UTC)),  # Mon 23/11 01:00: this week
            event(14, "escalated", datetime(2026, 10, 14, 12, 0, tzinfo=UTC)),  # week of 12/10
            event(16, "escalated", datetime(2026, 9, 7, 5, 0, tzinfo=UTC)),  # Mon 7/9 00:00: first week shown
            event(16, "escalated", datetime(2026, 9, 7, 4, 59, tzinfo=UTC)),  # Sun 6/9: before the 12 weeks
            event(1, "status", NOW - 3 * D),  # not a breach
            event(1, "opened", NOW - 5 * D),
        ])
    return ids


def test_open_cases_by_type_and_unit(db: Database, cases: dict[str, int]) -> None:
    with db.read() as session:
        found = reports.open_by_type_and_unit(session)
    assert [(c.type_name, c.unit, c.count) for c in found] == [
        (ACLARACION[1], "cartera", 1), (ACLARACION[1], "credito", 1),
        (DEVOLUCION[1], "tesoreria", 2), (FACTURA[1], "facturacion", 1), (TRASLADO[1], "cartera", 1)]


def test_percentile_interpolates_between_ranks() -> None:
    assert reports.percentile([10, 20, 30, 100], 0.5) == 25
    assert reports.percentile([100, 10, 30, 20], 0.9) == pytest.approx(79)  # 30 + 0.7 * 70
    assert reports.percentile([48], 0.9) == 48
    with pytest.raises(ValueError):
        reports.percentile([], 0.5)


def test_cycle_times_per_type(db: Database, cases: dict[str, int]) -> None:
    with db.read() as session:
        every = reports.cycle_times(session)
        recent = reports.cycle_times(session, NOW - reports.CYCLE_WINDOW)
    devolucion, factura = every
    assert (devolucion.case_type, devolucion.count) == ("devolucion_saldos", 5)
    assert devolucion.median_hours == pytest.approx(30)  # 10 20 [30] 100 1000
    assert devolucion.p90_hours == pytest.approx(640)  # rank 3.6: 100 + 0.6 * 900
    assert (factura.count, factura.median_hours, factura.p90_hours) == (1, pytest.approx(48), pytest.approx(48))
    devolucion, factura = recent
    assert devolucion.count == 4 and devolucion.median_hours == pytest.approx(25)
    assert devolucion.p90_hours == pytest.approx(79)
    assert factura.count == 1


def test_breaches_per_week_by_unit_in_bogota_weeks(db: Database, cases: dict[str, int]) -> None:
    with db.read() as session:
        weeks = reports.breaches_by_week(session, NOW)
    assert len(weeks) == 12
    assert weeks[0].week == date(2026, 9, 7) and weeks[-1].week == date(2026, 11, 23)
    assert all(w.week.weekday() == 0 for w in weeks)
    found = {w.week: w.by_unit for w in weeks if w.total}
    assert found == {date(2026, 9, 7): {"tesoreria": 1}, date(2026, 10, 12): {"tesoreria": 1},
                     date(2026, 11, 16): {"cartera": 2, "tesoreria": 1}, date(2026, 11, 23): {"facturacion": 1}}
    assert sum(w.total for w in weeks) == 6


def test_headline_figures(db: Database, cases: dict[str, int]) -> None:
    with db.read() as session:
        head = reports.headline(session, NOW)
    assert head.open == 6 and head.open_breached == 2
    assert head.resolved_this_month == 2  # SF-11 resuelto, SF-15 cerrado; SF-13 closed on 31/10 in Bogotá
    assert head.rejected_this_month == 1  # SF-12, closed 1/11 00:30 in Bogotá
    assert head.closed_in_window == 5 and head.median_cycle_hours == pytest.approx(30)  # 10 20 [30] 48 100


def test_month_and_week_starts_are_bogota_midnights() -> None:
    assert reports.month_start(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    assert reports.week_start(datetime(2026, 11, 23, 4, 59, tzinfo=UTC)) == date(2026, 11, 16)
    assert reports.week_start(datetime(2026, 11, 23, 5, 0, tzinfo=UTC)) == date(2026, 11, 23)


def test_dashboard_bundles_the_figures(db: Database, cases: dict[str, int]) -> None:
    with db.read() as session:
        board = reports.dashboard(session, NOW)
    assert board.headline.open == 6 and len(board.open_counts) == 5 and len(board.breaches) == 12
    assert [c.count for c in board.cycle] == [4, 1]  # the last 90 days only


def _numbers(page: reports.CasePage) -> list[str]:
    return [row.number[-2:] for row in page.rows]


def test_open_cases_of_units_with_filters_and_pages(db: Database, cases: dict[str, int]) -> None:
    with db.read() as session:
        assert _numbers(reports.open_cases(session, frozenset({"tesoreria"}))) == ["01", "02"]
        assert _numbers(reports.open_cases(session, frozenset({"tesoreria"}),
                                           reports.CaseFilters(breached_only=True))) == ["01"]
        assert _numbers(reports.open_cases(session, None, reports.CaseFilters(unit="cartera"))) == ["03", "05"]
        # A unit filter outside the scope finds nothing: the scope always applies.
        assert _numbers(reports.open_cases(session, frozenset({"tesoreria"}),
                                           reports.CaseFilters(unit="cartera"))) == []
        assert _numbers(reports.open_cases(session, None, reports.CaseFilters(status="registrado"))) == [
            "02", "06", "05"]
        assert _numbers(reports.open_cases(session, None, reports.CaseFilters(case_type="aclaracion_estado_cuenta",
                                                                              unit="credito"))) == ["06"]
        first = reports.open_cases(session, None, page=1, per_page=4)
        assert (first.total, first.pages, _numbers(first)) == (6, 2, ["04", "01", "03", "02"])
        assert first.has_next and not first.has_previous
        last = reports.open_cases(session, None, page=9, per_page=4)
        assert (last.page, _numbers(last)) == (2, ["06", "05"])
        row = reports.open_cases(session, frozenset({"tesoreria"})).rows[0]
        assert (row.status_label, row.unit_label, row.breached) == ("En revisión", "Tesorería", True)
        assert reports.open_cases(session, frozenset()).total == 0
        assert reports.case_types(session, frozenset({"cartera"})) == {
            "aclaracion_estado_cuenta": ACLARACION[1], "traslado_saldos": TRASLADO[1]}
