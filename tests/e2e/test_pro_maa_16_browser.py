"""PRO-MAA-16 through the browser: from the Coordination's request to the requester's final notice.

Each person signs in with their own account and works their task from the inbox, as they would in production.
Billing's task lives in billing's own pool: the app's embedded worker delivers TIC's request and billing's answer.
The screenshots land in docs/screenshots and the README shows them.
"""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import screenshot
from tests.e2e.test_sign_in_browser import sign_in


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Cerrar sesión").click()


def choose(page: Any, option: str) -> None:
    """Pick an option of a radio group or a select by its visible text."""
    radio = page.get_by_role("radio", name=option, exact=True)
    if radio.count():
        radio.first.check()
    else:
        page.locator("select").filter(has_text=option).first.select_option(label=option)


def work_task(page: Any, base: str, username: str, task_name: str, fill: Any, shot: str | None = None,
              inbox_shot: str | None = None) -> None:
    sign_in(page, base, username)
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    link = page.get_by_role("link", name=task_name)
    for _ in range(40):  # a task another pool's message opens appears once the embedded worker delivers it
        if link.count():
            break
        page.wait_for_timeout(250)
        page.reload()
    if inbox_shot:
        screenshot(page, inbox_shot)
    link.first.click()
    page.wait_for_url(re.compile(r".*/tareas/\d+"))
    fill(page)
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="Completar").click()
    page.wait_for_url(re.compile(r".*/bandeja.*"))
    assert "Tarea completada" in page.content()
    sign_out(page)


def test_pro_maa_16_from_request_to_final_notice(live_server: str, page: Any) -> None:
    base = live_server
    sign_in(page, base, "coord.bogota")
    page.get_by_role("link", name="Iniciar proceso").click()
    form = page.locator("#proceso-pro_maa_16")
    form.get_by_label("Número de pago").fill("PG-1001")
    choose(form, "Anulación")
    choose(form, "Baja académica definitiva")
    form.get_by_label("Justificación").fill("Baja académica definitiva del estudiante registrada en enero.")
    screenshot(page, "02-solicitud")
    form.get_by_role("button", name="Iniciar").click()
    page.wait_for_url(re.compile(r".*/instancias/\d+"))
    instance_url = page.url
    sign_out(page)

    def review(p: Any) -> None:
        assert "PG-1001" in p.content()  # the context panel shows the payment
        choose(p, "Aprobar")

    work_task(page, base, "tic.ana", "Revisar solicitud", review, shot="03-tarea-revisar-solicitud",
              inbox_shot="02b-bandeja")
    work_task(page, base, "fact.luis", "Anular factura electrónica",
              lambda p: p.get_by_label("Motivo de la anulación de la factura").fill("Corrección de estimación"))
    work_task(page, base, "tic.ana", "Liberar pago y realizar ajuste",
              lambda p: p.get_by_label(re.compile("Confirmo que el pago debe liberarse")).check())

    def reclassify(p: Any) -> None:
        p.get_by_label("Tipo de resumen").fill("MATRICULA-AJUSTADA")
        p.get_by_label(re.compile("Dimensión analítica")).fill("PRE-2026A-ADM")

    work_task(page, base, "conta.maria", "Revertir y reclasificar en GP", reclassify,
              shot="04-tarea-reclasificar")

    sign_in(page, base, "coord.bogota")
    page.get_by_role("link", name="Avisos").click()
    assert "Ajuste registrado" in page.content()
    screenshot(page, "05-avisos")
    page.goto(instance_url)
    assert "Completado" in page.content()
    page.wait_for_selector(".djs-container", timeout=15_000)  # bpmn-js drew the diagram
    screenshot(page, "06-instancia")
