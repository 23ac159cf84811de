"""The Colombian NIT and its check digit (dígito de verificación), as DIAN computes it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.context import StepContext
from handlers.errors import HandlerInputError

#: DIAN's weights, applied from the NIT's last digit leftwards.
WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
#: "900123456-8", also written "900.123.456-8".
NIT_FORMAT = re.compile(r"^([0-9][0-9.]{4,18})-([0-9])$")


@dataclass(frozen=True)
class Nit:
    number: str  # digits only
    check_digit: int

    def __str__(self) -> str:
        return f"{self.number}-{self.check_digit}"


def check_digit(number: str) -> int:
    """The check digit of the NIT's digits (without the check digit)."""
    if not number.isdigit() or len(number) > len(WEIGHTS):
        raise ValueError(f"«{number}» no es un número de NIT")
    total = sum(int(digit) * weight for digit, weight in zip(reversed(number), WEIGHTS, strict=False))
    rest = total % 11
    return rest if rest in (0, 1) else 11 - rest


def nit_problem(nit: object) -> str:
    """Why ``nit`` is not a valid NIT (Spanish, for the requester); "" when it is."""
    text = str(nit or "").strip().replace(" ", "")
    found = NIT_FORMAT.match(text)
    number = found.group(1).replace(".", "") if found else ""
    if found is None or not 5 <= len(number) <= len(WEIGHTS):
        return f"El NIT «{nit}» no tiene el formato esperado: el número, un guion y el dígito de verificación."
    expected = check_digit(number)
    if expected != int(found.group(2)):
        return (f"El dígito de verificación del NIT «{nit}» no es válido: para {number} debe ser {expected} "
                "(algoritmo de la DIAN).")
    return ""


def parse_nit(nit: object, *, field: str = "nit") -> Nit:
    problem = nit_problem(nit)
    if problem:
        raise HandlerInputError(problem, field=field)
    number, digit = str(nit).strip().replace(" ", "").rsplit("-", 1)
    return Nit(number=number.replace(".", ""), check_digit=int(digit))


def nit_is_valid(ctx: StepContext, nit: str) -> bool:
    """Gateway: the NIT's check digit is the one DIAN's algorithm gives."""
    return nit_problem(nit) == ""
