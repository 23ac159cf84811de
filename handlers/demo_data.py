"""The rows of the demo ledger (see ``handlers.demo``): students with their charges, and their payments."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class DemoStudent(NamedTuple):
    code: str
    name: str
    document_id: str
    program: str
    campus: str
    tuition: str
    fee: tuple[str, str] | None  # (description, amount)


class DemoPaymentRow(NamedTuple):
    number: str
    account: str
    campus: str | None  # None = campus unknown
    identified: bool
    paid_on: date
    batch: str
    receipt: str
    credits: tuple[tuple[str, str], ...]  # (charge kind, amount)


STUDENTS = (
    DemoStudent(
        "20261001",
        "Ana María Rojas Díaz",
        "1020304050",
        "Administración de Empresas",
        "BOG",
        "4500000",
        ("Carné estudiantil", "45000"),
    ),
    DemoStudent(
        "20261002",
        "Carlos Andrés Gómez Pardo",
        "1030405060",
        "Ingeniería de Sistemas",
        "BOG",
        "5200000",
        None,
    ),
    DemoStudent(
        "20261003",
        "Laura Valentina Ospina Mejía",
        "1040506070",
        "Psicología",
        "MED",
        "4800000",
        ("Certificado de notas", "38500"),
    ),
    DemoStudent(
        "20261004",
        "Julián Esteban Restrepo Gil",
        "1050607080",
        "Derecho",
        "MED",
        "5000000",
        ("Curso intersemestral", "950000"),
    ),
    DemoStudent("20261005", "Sofía Herrera Cárdenas", "1060708090", "Medicina", "BOG", "9800000", None),
    DemoStudent(
        "20261006", "Daniel Felipe Castro Rincón", "1070809000", "Contaduría Pública", "BOG", "3900000", None
    ),
)

PAYMENTS = (
    DemoPaymentRow(
        "PG-1001",
        "20261001",
        "BOG",
        True,
        date(2026, 1, 20),
        "L-301",
        "RC-2001",
        (("tuition", "1707770"), ("fee", "45000")),
    ),
    DemoPaymentRow(
        "PG-1002", "20261002", "BOG", True, date(2026, 1, 22), "L-301", "RC-2002", (("tuition", "2600000"),)
    ),
    DemoPaymentRow(
        "PG-1003", "20261003", "MED", True, date(2026, 1, 25), "L-302", "RC-2003", (("tuition", "1200000"),)
    ),
    DemoPaymentRow(
        "PG-1004", "20261004", "MED", False, date(2026, 2, 2), "L-302", "RC-2004", (("fee", "950000"),)
    ),
    DemoPaymentRow(
        "PG-1005", "20261005", None, False, date(2026, 2, 5), "L-303", "RC-2005", (("tuition", "350000"),)
    ),
    DemoPaymentRow(
        "PG-1006", "20261006", "BOG", True, date(2026, 1, 28), "L-301", "RC-2006", (("tuition", "3900000"),)
    ),
)
