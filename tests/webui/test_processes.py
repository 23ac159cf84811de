"""Iniciar proceso: the processes a user may start, and starting one from its form."""

from __future__ import annotations

from collections.abc import Callable

from engine.runtime import Engine
from tests.webui.conftest import SignedIn

START = {"payment": "PG-1001", "adjustment": "anulacion", "reason": "correccion_estimacion",
         "justification": "Cambio de tarifa por traslado de plan académico."}



def test_users_see_the_processes_their_roles_may_start(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("coord.bogota").get("/procesos/iniciar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Iniciar proceso" in html
    assert "PRO-MAA-16" in html and 'action="/procesos/pro_maa_16/iniciar"' in html
    assert "Número de pago" in html and "Corrección de estimación" in html  # the start form, drawn from its schema
    tic = sign_in("tic.ana").get("/procesos/iniciar").get_data(as_text=True)
    assert "pro_maa_16" not in tic and "/procesos/simple/iniciar" in tic
    # a requester's only process outside the case catalog: the payment plan (also started from the Oficina)
    camila = sign_in("estudiante.camila").get("/procesos/iniciar").get_data(as_text=True)
    assert 'action="/procesos/plan_de_pago/iniciar"' in camila and "pro_maa_16" not in camila


def test_the_start_form_page(sign_in: Callable[[str], SignedIn]) -> None:
    page = sign_in("coord.bogota").get("/procesos/pro_maa_16/iniciar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'type="radio" name="adjustment" value="reversa"' in html and "<textarea" in html
    assert 'name="csrf_token"' in html
    assert sign_in("tic.ana").get("/procesos/pro_maa_16/iniciar").status_code == 403
    assert sign_in("coord.bogota").get("/procesos/no_existe/iniciar").status_code == 404


def test_starting_from_the_form(sign_in: Callable[[str], SignedIn], engine: Engine) -> None:
    me = sign_in("coord.bogota")
    answer = me.post("/procesos/pro_maa_16/iniciar", START)
    assert answer.status_code == 302
    instance_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    detail = engine.show(instance_id)
    assert detail.instance.initiator == "coord.bogota" and detail.data["payment"] == "PG-1001"
    assert [t.element_id for t in detail.instance.open_tasks] == ["Activity_revisar_solicitud"]
    page = me.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Se inició el caso {detail.instance.business_key}" in page


def test_bad_data_is_a_400_with_messages_beside_the_fields(sign_in: Callable[[str], SignedIn],
                                                           engine: Engine) -> None:
    me = sign_in("coord.bogota")
    answer = me.post("/procesos/pro_maa_16/iniciar", {**START, "payment": "1001", "justification": "corta",
                                                      "reason": ""})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "revise los campos marcados" in html
    assert "El formato no es válido." in html and "Debe tener al menos 20 caracteres." in html
    assert "Este campo es obligatorio." in html
    assert 'value="1001"' in html  # what was typed stays in the form
    unknown = me.post("/procesos/pro_maa_16/iniciar", {**START, "payment": "PG-9999"})
    assert unknown.status_code == 400 and "PG-9999" in unknown.get_data(as_text=True)
    assert engine.instances_started_by("coord.bogota").total == 0
    assert sign_in("tic.ana").post("/procesos/pro_maa_16/iniciar", START).status_code == 403
