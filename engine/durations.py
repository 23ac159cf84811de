"""ISO 8601 durations as designers write them in models (``P3D``, ``PT4H``, ``P1DT12H``)."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$")


def parse_duration(text: str) -> timedelta:
    """A duration of weeks, days, hours and minutes; raises ValueError in plain words otherwise."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise ValueError(f"«{text}» no es una duración ISO 8601 válida (p. ej. P3D, PT4H, P1DT12H)")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    return timedelta(**parts)
