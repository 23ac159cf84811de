"""The NIT gateway of Factura para empresas on real NITs (DIAN's check digit algorithm)."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.casos.company_invoices import company_nit_is_valid, company_nit_problem

NO_CONTEXT: Any = None  # the NIT check reads nothing from the step


@pytest.mark.parametrize("nit", ["890903938-8", "899999068-1", "800197268-4", "860007386-1", "900123456-8"])
def test_real_nits_are_valid(nit: str) -> None:
    assert company_nit_is_valid(NO_CONTEXT, nit)
    assert company_nit_problem(NO_CONTEXT, nit) == ""


@pytest.mark.parametrize("nit,words", [("890903938-7", "debe ser 8"), ("800197268-0", "debe ser 4"),
                                       ("abc", "formato"), ("890903938", "formato")])
def test_a_wrong_check_digit_or_format_is_explained(nit: str, words: str) -> None:
    assert not company_nit_is_valid(NO_CONTEXT, nit)
    assert words in company_nit_problem(NO_CONTEXT, nit)
