"""Reading what people type: whole numbers in ASCII digits only.

`str.isdigit()` accepts "²" and "①", which `int()` then rejects; a pattern does not.
"""

from __future__ import annotations

import re

_WHOLE = re.compile(r"[0-9]{1,9}")


def parse_count(text: str) -> int | None:
    """A whole number typed as ASCII digits ("10", " 3 "), or None."""
    cleaned = text.strip()
    return int(cleaned) if _WHOLE.fullmatch(cleaned) else None
