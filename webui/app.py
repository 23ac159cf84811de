"""The Flask application factory. It wires the engine with the handlers; views stay thin."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template
from sqlalchemy import text

from engine.config import Settings
from engine.db import Database
from engine.errors import CauceError
from engine.runtime import Engine
from handlers.errors import HandlerInputError
from handlers.registry import HANDLERS
from webui import overview


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["JSON_AS_ASCII"] = False
    if engine is None:
        settings.ensure_dirs()
        engine = Engine(Database(settings.database_url), HANDLERS, input_errors=(HandlerInputError,))
    app.extensions["cauce_engine"] = engine

    @app.get("/")
    def home() -> str:
        return render_template("home.html", summary=overview.summary(engine))

    @app.get("/healthz")
    def healthz() -> Any:
        with engine.db.read() as session:
            session.execute(text("SELECT 1"))
        return jsonify({"status": "ok", "database": engine.db.dialect})

    @app.errorhandler(CauceError)
    def cauce_error(exc: CauceError) -> Any:
        return jsonify({"error": exc.message}), exc.status

    return app
