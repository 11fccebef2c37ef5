"""Stand-ins for the gap tests that need no database: two measures, the disadvantaged group and its comparison,
and a figure built from achievers and cohort (value = 100 × achievers ÷ cohort)."""

from types import SimpleNamespace

from schools.gaps import Figure

KS2 = SimpleNamespace(
    code="ks2_rwm_exp",
    name="KS2 reading, writing and maths",
    short_name="KS2 RWM",
    unit="percent",
    is_percent=True,
    higher_is_better=True,
    first_year=2016,
    last_year=None,
    series_breaks=[],
)
ABSENCE = SimpleNamespace(
    code="persistent_absence",
    name="Persistent absence",
    short_name="Persistent absence",
    unit="percent",
    is_percent=True,
    higher_is_better=False,
    first_year=2006,
    last_year=None,
    series_breaks=[{"year": 2016, "note": "10% threshold"}],
)
OTHERS = SimpleNamespace(code="not_disadvantaged", name="Not disadvantaged (other pupils)")
DIS = SimpleNamespace(code="disadvantaged", name="Disadvantaged", comparison=OTHERS)


def pct(achievers, cohort):
    return Figure(cohort=cohort, numerator=achievers, value=100 * achievers / cohort, status="final")
