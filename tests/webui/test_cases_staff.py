"""Casos de mi unidad and the Tablero: who sees which cases, the filters, the links to the instance, and the
dashboard's figures against hand-computed ones (NOW: Monday 23/11/2026 10:30 in Bogotá)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from werkzeug.test import TestResponse

from engine.db import Database
from engine.models import HumanTask
from engine.runtime import Engine
from handlers.casos.models import CaseEvent, CaseFile
from tests.engine.pro_maa_16_driver import REQUEST
from tests.processes.casos.driver import open_case
from tests.webui.conftest import SignedIn
from webui.dashboard_charts import duration, nice_scale, number

Signer = Callable[[str], SignedIn]
NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
H, D = timedelta(hours=1), timedelta(days=1)
DEVOLUCION = ("devolucion_saldos", "Devolución de saldos")
TRASLADO = ("traslado_saldos", "Traslados de saldos")
FACTURA = ("factura_empresas", "Factura para empresas")


def _case(number: str, kind: tuple[str, str], unit: str, status: str, opened_at: datetime,
          closed_at: datetime | None = None, escalated_at: datetime | None = None) -> CaseFile:
    return CaseFile(number=number, case_type=kind[0], type_name=kind[1], unit=unit, requester="estudiante.camila",
                    student_code="20261001", document_id="1010", student_name=f"Estudiante {number[-3:]}",
                    contact_email="c@example.edu", contact_mobile="3000000000", program="Economía",
                    subject=f"{kind[1]} >> Servicios Financieros", status=status, opened_at=opened_at,
                    updated_at=closed_at or opened_at + H, closed_at=closed_at, escalated_at=escalated_at)


@pytest.fixture
def board(engine: Engine, db: Database) -> dict[str, int]:
    """Five open cases (one linked to a running instance), four closed ones, three breaches."""
    engine.clock = lambda: NOW
    running = engine.start("pro_maa_16", "coord.bogota", {**REQUEST, "payment": "PG-1001"})
    key = running.business_key
    assert key
    with db.write() as session:
        session.execute(update(HumanTask).where(HumanTask.id == running.open_tasks[0].id)
                        .values(due_at=NOW + 5 * H))
        rows = [
            _case("SF-2026-000001", DEVOLUCION, "tesoreria", "en_revision", NOW - 5 * D, escalated_at=NOW - 2 * D),
            _case("SF-2026-000002", DEVOLUCION, "tesoreria", "registrado", NOW - 1 * D),
            _case("SF-2026-000003", TRASLADO, "cartera", "requiere_informacion", NOW - 3 * D,
                  escalated_at=NOW - 1 * D),
            _case("SF-2026-000004", FACTURA, "facturacion", "en_revision", NOW - 10 * D),
            _case(key, ("pro_maa_16", "PRO-MAA-16"), "tesoreria", "en_revision", NOW - 2 * D),
            _case("SF-2026-000011", DEVOLUCION, "tesoreria", "resuelto", NOW - 1 * D - 10 * H, NOW - 1 * D),
            _case("SF-2026-000012", DEVOLUCION, "tesoreria", "rechazado", NOW - 3 * D - 20 * H, NOW - 3 * D),
            _case("SF-2026-000013", DEVOLUCION, "tesoreria", "cerrado", NOW - 40 * D - 100 * H, NOW - 40 * D),
            _case("SF-2026-000014", FACTURA, "facturacion", "resuelto", NOW - 2 * H - 48 * H, NOW - 2 * H),
        ]
        session.add_all(rows)
        session.flush()
        ids = {c.number: c.id for c in rows}
        session.add_all([CaseEvent(case_id=ids[n], kind="escalated", at=at, actor="sistema") for n, at in (
            ("SF-2026-000001", NOW - 2 * D), ("SF-2026-000003", NOW - 1 * D),
            ("SF-2026-000013", NOW - 41 * D))])
    return {"instance": running.id, **ids}


def _html(answer: TestResponse) -> str:
    return answer.get_data(as_text=True)


def _cases(html: str) -> list[str]:
    return re.findall(r'<tr id="caso-([^"]+)"', html)


def _kpi(html: str, name: str) -> str:
    found = re.search(rf'id="kpi-{name}">.*?class="kpi-value">([^<]*)<', html, re.S)
    assert found, f"no tile {name}"
    return found.group(1)


def test_a_unit_sees_its_open_cases_linked_to_their_instances(sign_in: Signer, board: dict[str, int]) -> None:
    sofia = sign_in("tesoreria.sofia")
    answer = sofia.get("/casos/unidad")
    html = _html(answer)
    assert answer.status_code == 200 and "Casos de mi unidad" in html
    linked = next(n for n in board if n.startswith("PRO"))
    assert _cases(html) == ["SF-2026-000001", linked, "SF-2026-000002"]  # open, tesorería, oldest first
    for header in ("Número", "Tipo", "Unidad", "Estudiante", "Estado", "Abierto", "Última actualización", "SLA"):
        assert f">{header}</th>" in html
    assert f'<a href="/instancias/{board["instance"]}">{linked}</a>' in html
    first = re.search(r'<tr id="caso-SF-2026-000001".*?</tr>', html, re.S)
    assert first and 'class="breached-row"' in first.group(0) and "sla-vencida\">Vencida" in first.group(0)
    assert "desde 21/11/2026 10:30" in first.group(0) and "hace 5 días" in first.group(0)
    row = re.search(rf'<tr id="caso-{linked}".*?</tr>', html, re.S)
    assert row and "sla-por_vencer\">Por vencer" in row.group(0)  # its open task is due in 5 hours
    second = re.search(r'<tr id="caso-SF-2026-000002".*?</tr>', html, re.S)
    assert second and "Sin tarea de la unidad" in second.group(0) and "/instancias/" not in second.group(0)
    assert "En revisión" in html and "Registrado" in html and "SF-2026-000011" not in html
    assert 'name="unidad"' not in html  # one unit: nothing to choose
    assert 'href="/casos/unidad"' in html and 'href="/tablero"' not in html  # menu: the list, not the Tablero


def test_supervisors_see_every_unit_and_filter(sign_in: Signer, board: dict[str, int]) -> None:
    raul = sign_in("supervisor.raul")
    html = _html(raul.get("/casos/unidad"))
    assert len(_cases(html)) == 5 and "Casos de todas las unidades" in html and 'name="unidad"' in html
    assert _cases(_html(raul.get("/casos/unidad?unidad=cartera"))) == ["SF-2026-000003"]
    assert _cases(_html(raul.get("/casos/unidad?vencidos=1"))) == ["SF-2026-000001", "SF-2026-000003"]
    assert _cases(_html(raul.get("/casos/unidad?estado=registrado"))) == ["SF-2026-000002"]
    assert _cases(_html(raul.get("/casos/unidad?tipo=factura_empresas"))) == ["SF-2026-000004"]
    assert _cases(_html(raul.get("/casos/unidad?tipo=otro"))) == []
    assert "No hay casos abiertos con estos filtros" in _html(raul.get("/casos/unidad?tipo=otro"))
    for url, field in (("/casos/unidad?unidad=contabilidad", "unidad"), ("/casos/unidad?estado=resuelto", "estado"),
                       ("/casos/unidad?pagina=0", "pagina"), ("/casos/unidad?tipo=" + "x" * 65, "tipo")):
        bad = raul.get(url)
        assert bad.status_code == 400 and f"<strong>{field}</strong>" in _html(bad), url
    refused = sign_in("tesoreria.sofia").get("/casos/unidad?unidad=cartera")  # not her unit
    assert refused.status_code == 400 and "<strong>unidad</strong>" in _html(refused)


def test_pages_of_cases(sign_in: Signer, db: Database, board: dict[str, int]) -> None:
    with db.write() as session:
        session.add_all([_case(f"SF-2026-{100 + i:06d}", TRASLADO, "cartera", "registrado", NOW - i * H)
                         for i in range(30)])
    juan = sign_in("cartera.juan")
    html = _html(juan.get("/casos/unidad"))
    assert len(_cases(html)) == 25 and "31 casos abiertos · página 1 de 2" in html and 'rel="next"' in html
    second = _html(juan.get("/casos/unidad?pagina=2"))
    assert len(_cases(second)) == 6 and 'rel="prev"' in second
    assert len(_cases(_html(juan.get("/casos/unidad?pagina=9")))) == 6  # clamped to the last page
    filtered = _html(juan.get("/casos/unidad?estado=registrado"))
    assert "estado=registrado" in filtered and "pagina=2" in filtered  # the pager keeps the filters


def test_only_units_and_supervisors(sign_in: Signer, board: dict[str, int]) -> None:
    for person in ("estudiante.camila", "tic.ana", "conta.maria"):
        assert sign_in(person).get("/casos/unidad").status_code == 403, person
        assert sign_in(person).get("/tablero").status_code == 403, person
    assert sign_in("tesoreria.sofia").get("/tablero").status_code == 403
    assert sign_in("fact.luis").get("/casos/unidad").status_code == 200


def test_dashboard_figures(sign_in: Signer, board: dict[str, int]) -> None:
    answer = sign_in("supervisor.raul").get("/tablero")
    html = _html(answer)
    assert answer.status_code == 200
    assert _kpi(html, "abiertos") == "5" and _kpi(html, "vencidos") == "2"
    assert "40 % de los abiertos" in html
    assert _kpi(html, "resueltos") == "2" and "además 1 rechazado" in html  # SF-11 and SF-14; SF-12 rejected
    # closed in the last 90 days: 10 h, 20 h, 48 h, 100 h -> median 34 h (SF-13's 100 h is 40 days ago)
    assert _kpi(html, "ciclo") == "34,0 h" and "4 casos cerrados en los últimos 90 días" in html
    # the open cases per type and unit, in the chart's tooltips and in its table
    assert "<title>Devolución de saldos · Tesorería: 2 casos abiertos</title>" in html
    assert "<title>Traslados de saldos · Cartera: 1 caso abierto</title>" in html
    table = re.search(r'id="grafico-abiertos".*?</figure>', html, re.S)
    assert table
    assert re.sub(r"\s+", " ", table.group(0)).count('<td class="num">') == 4 * 4 + 4  # 4 types x (3 units + total)
    assert '<th scope="row">Total</th><td class="num">1</td><td class="num">3</td><td class="num">1</td>' \
           '<td class="num">5</td>' in table.group(0)  # cartera, tesorería, facturación, all
    # cycle time per type: Devolución 10 h, 20 h, 100 h -> median 20 h, p90 84 h = 3,5 días
    assert "<title>Devolución de saldos · Mediana: 20,0 h (3 casos cerrados)</title>" in html
    assert "<title>Devolución de saldos · Percentil 90: 3,5 días (3 casos cerrados)</title>" in html
    assert "<title>Factura para empresas · Mediana: 2,0 días (1 caso cerrado)</title>" in html
    # SLA breaches per week: 16/11 one for tesorería (21/11) and one for cartera (22/11); 12/10 none shown (13/10)
    assert "<title>Semana del 16/11/2026 · Cartera: 1 vencimiento</title>" in html
    assert "<title>Semana del 16/11/2026 · Tesorería: 1 vencimiento</title>" in html
    assert "<title>Semana del 12/10/2026 · Tesorería: 1 vencimiento</title>" in html
    weeks = re.findall(r'<tr><th scope="row">(\d\d/\d\d/2026)</th>(.*?)</tr>', html)
    assert [w for w, _ in weeks[::11]] == ["07/09/2026", "23/11/2026"] and len(weeks) == 12
    cells = dict(weeks)["16/11/2026"]  # cartera 1, tesorería 1, total 2 (the units that ever breached: 2 columns)
    assert re.findall(r'<td class="num">(\d+)</td>', cells) == ["1", "1", "2"]
    for chart in ("svg-abiertos", "svg-ciclo", "svg-vencimientos"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert html.count("<details>") == 3 and html.count('class="legend"') == 3
    assert "<script" not in html


def test_an_empty_dashboard(sign_in: Signer) -> None:
    html = _html(sign_in("admin").get("/tablero"))
    assert _kpi(html, "abiertos") == "0" and _kpi(html, "ciclo") == "—"
    assert "No hay casos abiertos." in html and "Ningún vencimiento" in html and "<svg" not in html


def test_chart_helpers() -> None:
    assert nice_scale(0) == (1.0, 1.0) and nice_scale(7) == (8, 2) and nice_scale(23) == (25, 5)
    assert nice_scale(3, 4) == (3, 1)
    assert number(1234.5) == "1.234,5" and duration(47.5) == "47,5 h" and duration(84) == "3,5 días"


def test_a_real_case_from_the_inbox_to_the_dashboard(sign_in: Signer, engine: Engine, db: Database) -> None:
    run = open_case(engine, db, "devolucion_saldos", {
        "monto": "400000.00", "motivo": "beca_posterior", "banco": "Bancolombia", "tipo_cuenta": "ahorros",
        "numero_cuenta": "12345678901", "titular": "Camila Torres Ruiz", "documento_titular": "1090123456"})
    task = run.open_task("Activity_revisar")
    sofia = sign_in("tesoreria.sofia")
    inbox = _html(sofia.get("/bandeja?vista=grupo"))
    row = re.search(rf'<tr id="tarea-{task.id}".*?</tr>', inbox, re.S)
    assert row, inbox
    for shown in (run.number, "Devolución de saldos", "Camila Torres (estudiante)", "hace un momento",
                  '<span class="sla sla-a_tiempo">A tiempo</span>'):
        assert shown in row.group(0), shown
    listing = _html(sofia.get("/casos/unidad"))
    assert _cases(listing) == [run.number]
    assert f'<a href="/instancias/{run.view.id}">{run.number}</a>' in listing and "sla-a_tiempo" in listing
    assert sofia.get(f"/instancias/{run.view.id}").status_code == 200
    raul = sign_in("supervisor.raul")
    assert _kpi(_html(raul.get("/tablero")), "abiertos") == "1"
    run.resolve()
    board = _html(raul.get("/tablero"))
    assert _kpi(board, "abiertos") == "0" and _kpi(board, "resueltos") == "1"
    assert "<title>Devolución de saldos · Mediana:" in board and _cases(_html(sofia.get("/casos/unidad"))) == []
