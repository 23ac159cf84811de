"""Joining the gateway to the app in one server (``cauce serve``, tests): the gateway under a path prefix.

Imports neither webui nor engine: ``cli/`` and the tests join the two apps, the apps never import each other.
The gateway stands for another company's system, so it reads its own variables here rather than through the
app's ``engine.config.Settings``.
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

__all__ = ["default_gateway_secret", "gateway_database_url", "gateway_merchant_id", "gateway_merchant_name",
           "gateway_secret", "with_gateway"]
DEFAULT_MERCHANT_ID = "UNIV-CAUCE"
DEFAULT_MERCHANT_NAME = "Universidad — Servicios Financieros"


def with_gateway(app: Flask, gateway: Flask, prefix: str = "/pasarela") -> WSGIApplication:
    """One WSGI application: ``prefix``/... is the gateway's, everything else the app's."""
    return DispatcherMiddleware(app, {prefix.rstrip("/"): gateway})


def gateway_secret(app_secret_key: str, environ: dict[str, str] | None = None) -> str:
    """CAUCE_GATEWAY_SECRET, else the one derived from the app's secret key (the app derives the same)."""
    env = os.environ if environ is None else environ
    return (env.get("CAUCE_GATEWAY_SECRET") or "").strip() or default_gateway_secret(app_secret_key)


def gateway_database_url(instance_dir: Path, environ: dict[str, str] | None = None) -> str:
    """CAUCE_GATEWAY_DB_URL, else a SQLite file of its own in the instance folder."""
    env = os.environ if environ is None else environ
    url = (env.get("CAUCE_GATEWAY_DB_URL") or "").strip()
    if url:
        return url
    instance_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_dir / 'pasarela.sqlite'}"


def gateway_merchant_id(environ: dict[str, str] | None = None) -> str:
    """The one merchant this gateway serves: CAUCE_MERCHANT_ID (the app signs with the same), or UNIV-CAUCE."""
    env = os.environ if environ is None else environ
    return (env.get("CAUCE_MERCHANT_ID") or "").strip() or DEFAULT_MERCHANT_ID


def gateway_merchant_name(environ: dict[str, str] | None = None) -> str:
    """The merchant's name on the gateway's pages: CAUCE_MERCHANT_NAME, as on the app's voucher."""
    env = os.environ if environ is None else environ
    return (env.get("CAUCE_MERCHANT_NAME") or "").strip() or DEFAULT_MERCHANT_NAME
