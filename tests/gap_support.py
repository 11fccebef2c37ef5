"""Stand-ins for the gap tests that need no database: two measures, the disadvantaged group and its comparison,
and a figure built from achievers and cohort (value = 100 × achievers ÷ cohort)."""

from types import SimpleNamespace

from schools.gaps import Figure


def percent_measure(code, name, short_name, *, higher_is_better=True, first_year=2016, series_breaks=()):
    """A measure reported as a percentage of pupils, with the fields the gap engine reads."""
    return SimpleNamespace(
        code=code,
        name=name,
        short_name=short_name,
        unit="percent",
        is_percent=True,
        higher_is_better=higher_is_better,
        first_year=first_year,
        last_year=None,
        series_breaks=list(series_breaks),
    )


KS2 = percent_measure("ks2_rwm_exp", "KS2 reading, writing and maths", "KS2 RWM")
ABSENCE = percent_measure(
    "persistent_absence",
    "Persistent absence",
    "Persistent absence",
    higher_is_better=False,
    first_year=2006,
    series_breaks=[{"year": 2016, "note": "10% threshold"}],
)
OTHERS = SimpleNamespace(code="not_disadvantaged", name="Not disadvantaged (other pupils)")
DIS = SimpleNamespace(code="disadvantaged", name="Disadvantaged", comparison=OTHERS)


def pct(achievers, cohort):
    return Figure(cohort=cohort, numerator=achievers, value=100 * achievers / cohort, status="final")
