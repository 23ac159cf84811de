"""Demo data: a user for every role and a ledger whose payments cover every branch of PRO-MAA-16."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from engine.db import Database, utcnow
from engine.identity import ensure_user, roles_of
from handlers.casos.demo import seed_case_demo
from handlers.demo import seed_demo_ledger
from handlers.oficina.demo import seed_oficina_demo
from webui.security import hash_password


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    note: str = ""
    document_id: str | None = None  # with the mobile: signs in by a one-time code ("Ingresar con código")
    mobile: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("coord.bogota", "Coordinación Administrativa Bogotá", ("coordinacion_administrativa",),
             "puede anular pagos (permiso de TIC Nacer)"),
    DemoUser("coord.medellin", "Coordinación Administrativa Medellín", ("coordinacion_administrativa",),
             "sin permiso para anular: su solicitud se rechaza"),
    DemoUser("tic.ana", "Ana Ríos (Dirección TIC)", ("direccion_tic",)),
    DemoUser("fact.luis", "Luis Pardo (Facturación, capa 2)", ("facturacion",)),
    DemoUser("conta.maria", "María Gómez (Contabilidad)", ("contabilidad",)),
    DemoUser("nacer.admin", "TIC Nacer (permisos)", ("tic_nacer",)),
    DemoUser("cartera.juan", "Juan Cortés (Cartera)", ("cartera",)),
    DemoUser("tesoreria.sofia", "Sofía León (Tesorería)", ("tesoreria",)),
    DemoUser("credito.pedro", "Pedro Silva (Crédito)", ("credito",)),
    DemoUser("disenador.eva", "Eva Mora (Diseño de procesos)", ("disenador",)),
    DemoUser("supervisor.raul", "Raúl Vega (Supervisor)", ("supervisor",)),
    DemoUser("estudiante.camila", "Camila Torres (estudiante)", ("solicitante",),
             document_id="1090123456", mobile="3001230434"),
    DemoUser("acudiente.jorge", "Jorge Rojas (acudiente)", ("solicitante",),
             "Oficina virtual: paga las cuentas de sus dos hijos", document_id="79456123", mobile="3104567788"),
    DemoUser("admin", "Administrador", ("admin", "supervisor")),
)


DEMO_MAIL_DOMAIN = "universidad.edu.co"  # demo addresses; with no SMTP_URL nothing leaves the machine
DEMO_PASSWORD = "cauce2026"  # printed by `cauce demo`; demo data only


@functools.cache
def _demo_password_hash() -> str:
    # One scrypt hash shared by the demo users: hashing is deliberately slow, and demo data needs no unique salts.
    return hash_password(DEMO_PASSWORD)


def seed_demo(db: Database) -> dict[str, Any]:
    now = utcnow()
    with db.write() as session:
        for user in DEMO_USERS:
            account = ensure_user(session, user.username, user.display_name, list(user.roles), now,
                                  email=f"{user.username}@{DEMO_MAIL_DOMAIN}")
            if account.password_hash is None:
                account.password_hash = _demo_password_hash()
            if user.mobile and account.mobile is None:
                account.document_id, account.mobile = user.document_id, user.mobile
        payments = seed_demo_ledger(session, now)
        seed_case_demo(session, now)
        seed_oficina_demo(session, now)
        users = [{"username": u.username, "name": u.display_name, "roles": sorted(roles_of(session, u.username)),
                  "note": u.note} for u in DEMO_USERS]
    return {
        "password": DEMO_PASSWORD,
        "users": users,
        "payments": [{"payment": p.payment, "account": p.account, "amount": p.amount, "branch": p.branch,
                      "start_data": p.start_data} for p in payments],
    }
