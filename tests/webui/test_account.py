"""Mi cuenta: API tokens created (shown once) and revoked on the page and with `cauce token`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta

from click.testing import CliRunner
from flask import Flask

from cli.main import main
from engine.db import Database, utcnow
from engine.runtime import Engine
from tests.webui.conftest import SignedIn
from webui.security import digest
from webui.tokens import create_token, list_tokens, user_for_token


def _api_status(app: Flask, token: str) -> int:
    return app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code


def test_create_show_once_and_revoke_on_the_page(app: Flask, engine: Engine,
                                                 sign_in: Callable[[str], SignedIn]) -> None:
    me = sign_in("tic.ana")
    page = me.get("/cuenta")
    assert page.status_code == 200 and "No tiene tokens." in page.get_data(as_text=True)
    assert 'href="/cuenta"' in page.get_data(as_text=True)  # "Mi cuenta" is in the menu
    created = me.post("/cuenta/tokens", {"name": "conciliación nocturna"})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    assert "Cópielo ahora: no se volverá a mostrar." in html
    found = re.search(r'<code id="new-token">([^<]+)</code>', html)
    assert found is not None
    token = found.group(1)
    assert len(token) >= 43 and _api_status(app, token) == 200
    with engine.db.read() as session:
        listed = list_tokens(session, "tic.ana")
    assert [t.name for t in listed] == ["conciliación nocturna"]
    again = me.get("/cuenta").get_data(as_text=True)
    assert token not in again and "conciliación nocturna" in again and "Activo" in again

    revoked = me.post(f"/cuenta/tokens/{listed[0].id}/revocar")
    assert revoked.status_code == 302 and revoked.headers["Location"] == "/cuenta"
    assert "Revocado el" in me.get("/cuenta").get_data(as_text=True)
    assert _api_status(app, token) == 401


def test_page_refusals(app: Flask, engine: Engine, sign_in: Callable[[str], SignedIn]) -> None:
    assert app.test_client().get("/cuenta").status_code == 302  # to the sign-in page
    me = sign_in("tic.ana")
    nameless = me.post("/cuenta/tokens", {"name": "   "})
    assert nameless.status_code == 400 and "Este campo es obligatorio." in nameless.get_data(as_text=True)
    too_long = me.post("/cuenta/tokens", {"name": "x" * 101})
    assert too_long.status_code == 400 and "como máximo 100 caracteres" in too_long.get_data(as_text=True)
    assert me.client.post("/cuenta/tokens", data={"name": "sin csrf"}).status_code == 400
    with engine.db.write() as session:
        create_token(session, "fact.luis", "de otro", utcnow())
    with engine.db.read() as session:
        others = list_tokens(session, "fact.luis")[0].id
    refused = me.post(f"/cuenta/tokens/{others}/revocar")
    assert refused.status_code == 404 and f"No existe el token {others}." in refused.get_data(as_text=True)
    with engine.db.read() as session:
        assert list_tokens(session, "fact.luis")[0].active


def test_only_the_hash_is_stored_and_last_use_is_written_once_a_minute(engine: Engine) -> None:
    now = utcnow()
    with engine.db.write() as session:
        token = create_token(session, "tic.ana", "script", now)
    with engine.db.read() as session:
        raw = session.connection().exec_driver_sql("SELECT token_hash, last_used_at FROM api_token").one()
    assert raw[0] == digest(token) and raw[1] is None
    for offset, expected in ((0, now), (30, now), (61, now + timedelta(seconds=61))):
        with engine.db.read() as session:
            found = user_for_token(session, token, now + timedelta(seconds=offset))
        assert found is not None and found.username == "tic.ana" and found.roles == frozenset({"direccion_tic"})
        with engine.db.read() as session:
            assert list_tokens(session, "tic.ana")[0].last_used_at == expected
    with engine.db.read() as session:
        assert user_for_token(session, "x" * 500, now) is None
        assert user_for_token(session, "", now) is None


def test_cli_prints_a_new_token(app: Flask, engine: Engine, db: Database) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": db.url}
    text = runner.invoke(main, ["token", "tic.ana"], env=env)
    assert text.exit_code == 0, text.output
    assert _api_status(app, text.output.strip()) == 200
    as_json = runner.invoke(main, ["token", "conta.maria", "--name", "cierre", "--json"], env=env)
    body = json.loads(as_json.output)
    assert body["username"] == "conta.maria" and body["name"] == "cierre" and _api_status(app, body["token"]) == 200
    unknown = runner.invoke(main, ["token", "nadie", "--json"], env=env)
    assert unknown.exit_code == 1
    assert json.loads(unknown.output) == {"error": "El usuario «nadie» no existe o está inactivo.", "status": 403}
