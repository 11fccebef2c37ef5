"""LA names by LA number, from the DfE's LA code list (fixtures/la_codes.csv, Open Government Licence).

A file can name an LA that gapmonitor does not know without giving its name (a KS4 file's LA row often has no
``SCHNAME``): the LA is then created with its published name, not "LA 919".
"""

from __future__ import annotations

import csv
from functools import lru_cache

from .mapping import FIXTURES


@lru_cache(maxsize=1)
def la_names() -> dict[str, str]:
    with open(FIXTURES / "la_codes.csv", encoding="utf-8", newline="") as handle:
        return {row["code"].strip(): row["name"].strip() for row in csv.DictReader(handle)}


def la_name(code: str, given: str = "") -> str:
    """The name a file gives, else the published name, else "LA <code>"."""
    given = (given or "").strip()
    if given and given != f"LA {code}":
        return given
    return la_names().get(code, f"LA {code}")
