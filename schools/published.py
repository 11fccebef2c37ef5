"""The LA's own published figure beside the figure pooled from its school rows, and how much of the LA a
results year covers.

The DfE's performance tables carry an LA row (``RECTYPE`` 3 for KS2, 4 for KS4) computed from every pupil.
Pooling the school rows (Σ achievers ÷ Σ pupils) can only count pupils in schools whose figure is published:
a school row whose figure is suppressed (``SUPP``) still gives its cohort but no value, and special schools
with small cohorts are suppressed the same way. So the two differ, and the page says by how many pupils.

Pure functions over :class:`schools.gaps.Figure` values; the reads are in ``schools.figures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gapmonitor.conf import conf

from .gaps import MISSING, Figure, gap
from .house_style import results_year_label

if TYPE_CHECKING:
    from .models import Measure

PUBLISHED, POOLED = "published", "pooled"

# Which school phases sit each key stage's assessments: coverage counts the open schools of these phases.
DEFAULT_KEY_STAGE_PHASES = {
    "eyfs": ("primary", "all_through"),
    "phonics": ("primary", "all_through"),
    "ks1": ("primary", "all_through"),
    "ks2": ("primary", "middle", "all_through"),
    "ks4": ("secondary", "all_through"),
    "ks5": ("secondary", "all_through", "post16"),
}


def key_stage_phases(key_stage_code: str) -> tuple[str, ...] | None:
    """The phases whose schools take a key stage's assessments; None means every phase (attendance)."""
    phases = conf.key_stage_phases
    phases = DEFAULT_KEY_STAGE_PHASES if phases is None else phases
    found = phases.get(key_stage_code)
    return tuple(found) if found else None


@dataclass(frozen=True)
class Coverage:
    """Schools with a figure for a measure in a year ÷ the LA's open schools of the measure's phases."""

    measure: Measure
    year: int
    with_figures: int
    open_schools: int
    phase_label: str = ""

    @property
    def share(self) -> float | None:
        return self.with_figures / self.open_schools if self.open_schools else None

    @property
    def below_share(self) -> bool:
        return self.share is not None and self.share < conf.coverage_share

    def sentence(self) -> str:
        name = getattr(self.measure, "short_name", "") or getattr(self.measure, "name", str(self.measure))
        kind = f"open {self.phase_label} schools" if self.phase_label else "open schools"
        text = f"{name}, {results_year_label(self.year)}: figures for {self.with_figures} of {self.open_schools} {kind}"
        return text + (f" ({100 * self.share:.0f}%)" if self.share is not None else "")

    def note(self) -> str:
        """The visible note when the year covers less than the configured share of the LA's schools."""
        return (
            f"{self.sentence()}, under the {100 * conf.coverage_share:.0f}% needed to stand for the whole LA: "
            f"the {results_year_label(self.year)} figures describe only the schools whose results are imported so far."
        )


@dataclass(frozen=True)
class SideBySide:
    """One measure × year: the pooled and the published figures for a focus group and its comparison group."""

    measure: Measure
    year: int
    pooled_focus: Figure
    pooled_comparison: Figure
    published_focus: Figure | None
    published_comparison: Figure | None

    @property
    def pooled_gap(self) -> float | None:
        return gap(self.measure, self.pooled_focus, self.pooled_comparison)

    @property
    def published_gap(self) -> float | None:
        return gap(self.measure, self.published_focus, self.published_comparison)

    @property
    def pooled_cohort(self) -> int | None:
        """Pupils the pooled focus value is computed over (those in schools with a published figure)."""
        return self.pooled_focus.denominator if self.pooled_focus.value is not None else None

    @property
    def published_cohort(self) -> int | None:
        return self.published_focus.cohort if self.published_focus is not None else None

    @property
    def missing_pupils(self) -> int | None:
        """Published cohort − pooled cohort: the focus-group pupils the school rows do not let us pool."""
        if self.published_cohort is None or self.pooled_cohort is None:
            return None
        return self.published_cohort - self.pooled_cohort

    @property
    def has_published(self) -> bool:
        return self.published_focus is not None and self.published_focus.value is not None

    def difference(self, focus_name: str = "") -> str:
        """What the difference between the published and the pooled figure is, in words."""
        if not self.has_published:
            return "No published LA figure: the figure is pooled from the school rows."
        group = f"{focus_name.lower()} " if focus_name else ""
        missing = self.missing_pupils
        if missing is None:
            return "The published figure gives no cohort, so the pupils behind the difference cannot be counted."
        if missing > 0:
            pupils = "pupil" if missing == 1 else "pupils"
            return (
                f"{missing} {group}{pupils} in schools whose figures are suppressed in the school rows "
                f"(published cohort {self.published_cohort}, pooled over {self.pooled_cohort})."
            )
        if missing < 0:
            return (
                f"The pooled figure counts {-missing} more {group}pupils than the published one "
                f"(published cohort {self.published_cohort}, pooled over {self.pooled_cohort})."
            )
        return (
            f"Both count the same {self.pooled_cohort} {group}pupils; any difference in value is rounding "
            f"in the published school percentages."
        )


def side_by_side(
    measure, year: int, pooled: dict, published: dict, focus_code: str, comparison_code: str
) -> SideBySide:
    """Pair the pooled and published figures (both keyed (year, measure_code, group_code)) for one measure."""
    code = measure.code
    return SideBySide(
        measure=measure,
        year=year,
        pooled_focus=pooled.get((year, code, focus_code)) or MISSING,
        pooled_comparison=pooled.get((year, code, comparison_code)) or MISSING,
        published_focus=published.get((year, code, focus_code)),
        published_comparison=published.get((year, code, comparison_code)),
    )


def published_first(
    pooled: dict, published: dict, *, measures, years, required, optional=("all",)
) -> tuple[dict, dict[str, str]]:
    """The LA's headline figures: the published figure where the LA has one, else the pooled one.

    Decided per measure, never per year or group, so a gap and its trend never mix the two: a measure uses the
    published figures when every year with pooled figures also has a published figure for each ``required``
    group (the focus and comparison groups); ``optional`` groups are taken from the published figures when there.
    Returns (figures, {measure_code: "published" | "pooled"}).
    """

    def present(key):
        figure = published.get(key)
        return figure is not None and (figure.value is not None or figure.suppressed)

    merged = dict(pooled)
    sources = {}
    for code in measures:
        pooled_years = {y for y in years if any((y, code, g) in pooled for g in required)}
        usable = bool(pooled_years) and all(present((y, code, g)) for y in pooled_years for g in required)
        sources[code] = PUBLISHED if usable else POOLED
        if usable:
            for y in pooled_years:
                for g in (*required, *optional):
                    if (y, code, g) in published:
                        merged[(y, code, g)] = published[(y, code, g)]
    return merged, sources
