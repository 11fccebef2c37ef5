"""Which national figures a school is compared with: like with like.

Special schools and alternative provision (pupil referral units, AP academies and free schools) teach
pupils whose needs are unlike those in mainstream schools, so the all-school England figure says little
about them. They are compared with England's figures for their own type of school where those are held
(benchmarks with the geography code ``E92000001_SPECIAL`` or ``E92000001_AP``, e.g. from the DfE's
"Key stage 2 attainment" school-characteristics tables), and otherwise get no national gap, with the reason
shown. Mainstream schools, and areas, clusters and the LA (which pool every school), use England
(``E92000001``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Benchmark, School


@dataclass(frozen=True)
class NationalBasis:
    """The national figures a school's national gaps are worked out against."""

    kind: str  # mainstream / special / ap
    geography_code: str  # the Benchmark geography holding them
    label: str  # what "nationally" means in a sentence or a column
    missing: str = ""  # why there is no national gap when no figure is held

    @property
    def own_type(self) -> bool:
        """True when the school is compared with its own type of school rather than with all England."""
        return self.kind != MAINSTREAM.kind


MAINSTREAM = NationalBasis("mainstream", Benchmark.NATIONAL_CODE, "England")
SPECIAL = NationalBasis(
    "special",
    f"{Benchmark.NATIONAL_CODE}_SPECIAL",
    "England, special schools",
    "No national figure for special schools: not compared with mainstream schools.",
)
ALTERNATIVE_PROVISION = NationalBasis(
    "ap",
    f"{Benchmark.NATIONAL_CODE}_AP",
    "England, alternative provision",
    "No national figure for alternative provision: not compared with mainstream schools.",
)
BASES = (MAINSTREAM, SPECIAL, ALTERNATIVE_PROVISION)

# GIAS "TypeOfEstablishment (name)" values of special schools and alternative provision.
SPECIAL_TYPES = frozenset(
    {
        "community special school",
        "foundation special school",
        "non-maintained special school",
        "academy special converter",
        "academy special sponsor led",
        "free schools special",
    }
)
AP_TYPES = frozenset(
    {
        "pupil referral unit",
        "academy alternative provision converter",
        "academy alternative provision sponsor led",
        "free schools alternative provision",
    }
)


def basis_for(school: School) -> NationalBasis:
    """Special schools and AP by phase or by their GIAS type; every other school is mainstream."""
    school_type = (school.school_type or "").strip().lower()
    if school.phase == School.Phase.PRU or school_type in AP_TYPES or "alternative provision" in school_type:
        return ALTERNATIVE_PROVISION
    if school.phase == School.Phase.SPECIAL or school_type in SPECIAL_TYPES:
        return SPECIAL
    return MAINSTREAM
