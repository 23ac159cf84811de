"""Joining the gateway to the app in one server (``cauce serve``, tests): the gateway under a path prefix.

Imports neither webui nor engine: ``cli/`` and the tests join the two apps, the apps never import each other.
The secret and the merchant come from the app's ``engine.config.Settings`` (``cli/gateway_cmd.py`` passes them);
the simulator's own database, which the app knows nothing of, is read here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from gateway.signing import default_gateway_secret

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["default_gateway_secret", "gateway_database_url", "with_gateway"]


def with_gateway(app: Flask, gateway: Flask, prefix: str = "/pasarela") -> WSGIApplication:
    """One WSGI application: ``prefix``/... is the gateway's, everything else the app's."""
    return DispatcherMiddleware(app, {prefix.rstrip("/"): gateway})


def gateway_database_url(instance_dir: Path, environ: dict[str, str] | None = None) -> str:
    """CAUCE_GATEWAY_DB_URL, else a SQLite file of its own in the instance folder."""
    env = os.environ if environ is None else environ
    url = (env.get("CAUCE_GATEWAY_DB_URL") or "").strip()
    if url:
        return url
    instance_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_dir / 'pasarela.sqlite'}"
