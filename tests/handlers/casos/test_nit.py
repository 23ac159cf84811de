"""The NIT check digit as the DIAN computes it, on NITs whose digit is public."""

from __future__ import annotations

import pytest

from handlers.casos.nit import check_digit, nit_problem, parse_nit
from handlers.errors import HandlerInputError


@pytest.mark.parametrize("number,digit", [("890305881", 1), ("800197268", 4), ("860007336", 1),
                                          ("899999001", 7), ("900123456", 8)])
def test_check_digits_of_known_nits(number: str, digit: int) -> None:
    assert check_digit(number) == digit


def test_valid_nits_with_and_without_dots() -> None:
    assert nit_problem("890305881-1") == ""
    assert nit_problem("890.305.881-1") == ""
    assert str(parse_nit("890.305.881-1")) == "890305881-1"


@pytest.mark.parametrize("text,says", [("890305881-2", "debe ser 1"), ("890305881", "formato"),
                                       ("NIT 890305881-1", "formato"), ("", "formato"), ("12-3", "formato")])
def test_wrong_nits_say_why(text: str, says: str) -> None:
    assert says in nit_problem(text)
    with pytest.raises(HandlerInputError) as refused:
        parse_nit(text, field="nit")
    assert refused.value.field == "nit"
