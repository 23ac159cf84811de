"""The deploy check on a designer's code refuses every known way out of the restricted builtins."""

from __future__ import annotations

import pytest

from engine.expressions import forbidden_syntax

ESCAPES = [
    # A running generator's frame leads to its caller's frame and the real builtins there.
    ("exec", "g = (g.gi_frame.f_back.f_back for _ in [1])\nframe = [*g][0]"),
    ("exec", "b = frame.f_globals['__builtins__']"),
    ("eval", "'{0.__class__.__mro__}'.format(amount)"),
    ("eval", "'{x.__class__}'.format_map({'x': amount})"),
    ("eval", "amount.__class__"),
    ("eval", "handlers._registry"),
    ("exec", "try:\n    1 / 0\nexcept Exception as e:\n    t = e.__traceback__.tb_frame"),
    ("eval", "__import__('os')"),
    ("exec", "import os"),
    ("eval", "int.mro()"),
    ("eval", "data['__builtins__']"),
]

ALLOWED = [
    ("eval", "amount > Decimal('1000000') and decision == 'aprobar'"),
    ("eval", "f'{name} ({code})'"),
    ("exec", "total = sum(item['valor'] for item in items)\nlabel = str(total).strip()"),
    ("eval", "fecha.isoformat()"),
]


@pytest.mark.parametrize(("mode", "source"), ESCAPES)
def test_each_way_out_is_refused_with_a_reason(mode: str, source: str) -> None:
    reason = forbidden_syntax(source, mode)
    assert reason is not None and reason.startswith("no se permite")


@pytest.mark.parametrize(("mode", "source"), ALLOWED)
def test_ordinary_code_passes(mode: str, source: str) -> None:
    assert forbidden_syntax(source, mode) is None
