"""The members' briefing read as an LA data lead would, on Hertfordshire's real 2024/25 KS2 file
(``tests/data/dfe/2024-2025/919_ks2final.csv``, 377 schools; the LA row: disadvantaged 40% of 3,040, other
pupils 70%, so a published gap of 30 points). Pooled from the schools, the gap is 68.5 − 40.4 = 28.1: schools
whose disadvantaged figure is suppressed count in the group (3,026 pupils) but not in the figure (2,575)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from schools.imports.committing import import_file
from schools.models import Benchmark, LocalAuthority, Measure, PupilGroup, StatisticalNeighbour
from schools.roles import Role
from tests.report_support import pdf_text
from tests.strategy_support import make_user

KS2 = Path(__file__).resolve().parent / "data" / "dfe" / "2024-2025" / "919_ks2final.csv"
pytestmark = pytest.mark.django_db


def test_briefing_ranks_the_published_gap_and_says_how_many_schools_could_be_judged():
    import_file(data=KS2.read_bytes(), file_name=KS2.name, folder="2024-2025")
    herts = LocalAuthority.objects.get(code="919")
    rwm = Measure.objects.get(code="ks2_rwm_exp")
    groups = {g.code: g for g in PupilGroup.objects.filter(code__in=["disadvantaged", "not_disadvantaged"])}
    # Two neighbours with published gaps of 70 − 41 = 29 and 72 − 41 = 31 points. Hertfordshire's published gap
    # (30) sits between them: 2nd of 3, quartile 1 + (4 × 1) // 3 = 2. Its pooled gap (28.1) would have come 1st.
    for rank, (code, other) in enumerate((("801", 70), ("802", 72)), start=1):
        StatisticalNeighbour.objects.create(la_code="919", neighbour_code=code, rank=rank)
        for group, value in (("disadvantaged", 41), ("not_disadvantaged", other)):
            Benchmark.objects.create(
                geography_code=code,
                kind=Benchmark.Kind.LA,
                results_year=2025,
                measure=rwm,
                pupil_group=groups[group],
                value=value,
            )
    Group.objects.get_or_create(name=Role.LA_OFFICER)
    client = Client()
    client.force_login(make_user("officer919", Role.LA_OFFICER, herts))
    text = " ".join(pdf_text(client.get("/reports/la/briefing.pdf").content).split())
    assert (
        "KS2 RWM expected: 2 of 3 (quartile 2; 1 = narrowest gap) among Hertfordshire and its statistical "
        "neighbours, on the published gaps." in text
    )
    assert "KS2 RWM expected 2024/25 3,026 (2,575 in the figure) 40.4% 68.5% +28.1 +22.0" in text
    # Only Fairlands Primary (35 disadvantaged pupils) can be judged on one year; no school has two to pool.
    assert (
        "The one school that could be judged was not a gap buster on a headline measure in 2024/25 (376 of 377 "
        "could not be judged)." in text
    )
    assert "No school was a gap buster" not in text
    # No region is known for Hertfordshire (its LA row carries none): no heading may promise one.
    assert "Against England and other benchmarks" in text and "the region" not in text
    overview = client.get("/overview/").content.decode()
    assert "Hertfordshire against England and other benchmarks</h2>" in overview
    assert (
        "No plan actions have been completed since September 2024, and no school-to-school support engagements "
        "have run." in text
    )
