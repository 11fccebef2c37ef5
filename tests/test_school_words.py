"""What the product writes about a school, read as its headteacher would, on real rows of the DfE's files.

- Hertford Heath Primary and Nursery School (URN 117125), KS2 2024/25: 22 pupils, of whom 4 disadvantaged
  (``TFSM6CLA1A`` 4; the DfE writes ``SUPP`` for their RWM figure), so nothing can be said about them.
- Ashley Church of England Primary School (URN 141294), KS2 2016/17 and 2018/19 (Surrey): disadvantaged
  pupils 3 of 6 (50%) then 56% of 9 (5 of 9, 55.6%); other pupils here 36 of 51 (70.6%) then 70% of 50 (35 of
  50); other pupils in England 68% then 72% (LAIT, which gives no pupil counts). By hand: the gap here went
  from 70.6 − 50.0 = 20.6 to 70.0 − 55.6 = 14.4; against other pupils in England it is 72.0 − 55.6 = 16.4 in
  2018/19.
"""

import csv
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from schools.imports.committing import import_file
from schools.models import LocalAuthority, School
from schools.roles import Role
from tests.report_support import pdf_text
from tests.strategy_support import make_user

DATA = Path(__file__).resolve().parent / "data" / "dfe"
pytestmark = pytest.mark.django_db


def _load(path: Path, urn: str, tmp_path: Path, folder: str = "") -> None:
    """Import the header, the schools' rows (URNs separated by commas) and the LA and England rows of a real
    file."""
    text = path.read_bytes().decode("utf-8-sig", errors="strict") if path.suffix else ""
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    at = header.index("URN")
    kept = [r for r in body if r[at] in urn.split(",") or r[0] not in ("1", "2")]
    out = tmp_path / path.name
    with open(out, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *kept])
    import_file(data=out.read_bytes(), file_name=path.name, folder=folder)


def _head_of(urn: int) -> Client:
    Group.objects.get_or_create(name=Role.HEADTEACHER)
    school = School.objects.get(urn=urn)
    client = Client()
    client.force_login(make_user(f"head{urn}", Role.HEADTEACHER, school.la, school=school))
    return client


def test_school_page_says_why_nothing_is_said_when_the_group_is_suppressed(tmp_path):
    _load(DATA / "2024-2025" / "919_ks2final.csv", "117125", tmp_path, folder="2024-2025")
    head = _head_of(117125)
    page = head.get("/schools/117125/").content.decode()
    assert (
        "No sentence can be written for disadvantaged pupils here: in the latest year of each measure their "
        "figures are suppressed (SUPP) or missing." in page
    )
    assert "No figures for disadvantaged pupils at this school yet" not in page
    assert '<td class="num">SUPP</td>' in page
    assert "SUPP: suppressed, because the group has fewer than 6 pupils or the DfE withheld the figure" in page
    groups = head.get("/schools/117125/groups/").content.decode()
    assert "No findings: no figure for disadvantaged pupils here to write about (none loaded, or suppressed" in groups
    assert "there are no figures for disadvantaged pupils here" not in groups
    # 22 pupils, 4 disadvantaged: the other 18 are hidden too (22 − 18 = 4), and the key says why.
    # The profile says the same, and its key does not call the DfE's SUPP for 18 other pupils "fewer than 6".
    text = " ".join(pdf_text(head.get("/reports/schools/117125/profile.pdf").content).split())
    assert (
        "No sentence can be written for disadvantaged pupils: their figures are suppressed (SUPP) or missing." in text
    )
    assert "There are no figures for this year yet" not in text
    assert "SUPP: Suppressed: fewer than 6 pupils, or withheld by the DfE in its published file." in text
    measure = head.get("/schools/117125/measures/ks2_rwm_exp/").content.decode()
    assert ">SUPP2<" in measure and "nor is a figure from which one could be worked out (SUPP2)" in measure


@pytest.fixture
def ashley(tmp_path):
    for name in ("ks2_2016-17_936_surrey.csv", "ks2_2018-19_936_surrey.csv"):
        _load(DATA / name, "141294", tmp_path)
    # The LA benchmarks (LAIT) as the README loads them: England's figures from it carry no pupil counts.
    lait = DATA.parent / "la" / "lait_gap_measures_850_919_936.csv"
    import_file(data=lait.read_bytes(), file_name=lait.name, format="lait")
    assert LocalAuthority.objects.filter(code="936").exists()
    return _head_of(141294)


def test_findings_never_say_a_percentage_measure_has_no_interval(ashley):
    """LAIT publishes England's other pupils for 2019 as 72 with no pupil counts; the KS2 file's England row has
    71% of 447,479, and that counted figure is kept (a value alone never replaces it). So the gap vs England is
    71.0 − 55.6 = 15.4 and has an interval: 5 of 9 is too few to call it significant, and the finding says so
    rather than that KS2 RWM (a percentage with counts) has no interval."""
    page = ashley.get("/schools/141294/groups/").content.decode()
    assert (
        "disadvantaged pupils (55.6%, 5 of 9) were 15.4 percentage points behind other pupils nationally in "
        "KS2 RWM expected" in page
    )
    assert "no confidence interval for this measure" not in page
    assert "significance not judged" not in page


def test_profile_writes_academic_years_and_leaves_out_groups_with_no_figure(ashley):
    text = " ".join(pdf_text(ashley.get("/reports/schools/141294/profile.pdf").content).split())
    assert "The headline gaps in 2018/19" in text
    # England's 2018/19 gap in brackets: 71 − 51 = 20.0 from the KS2 file's counted England row, which LAIT's
    # value-only 72 for other pupils does not replace.
    assert "Measure 2016/17 2018/19 KS2 RWM expected +20.6 (+20.0) +14.4 (+20.0)" in text
    assert "KS2 RWM expected, 2016/17 to 2018/19: the gap went from 20.6 to 14.4 percentage points" in text
    assert "Every group in 2018/19" in text
    assert "KS2 RWM expected Boys 35 57.1% 83.3% +26.2 +10.0" in text
    # The school-level KS2 file has no children-in-need or ethnic-group figures: no rows of dashes for them.
    assert "Children in need" not in text and "Gypsy, Roma" not in text
    assert "2019/20 and 2020/21" in text


def test_overview_counts_only_the_schools_that_could_be_judged(tmp_path):
    """Hertfordshire's 2024/25 KS2 file alone: of its 377 schools only Fairlands Primary (URN 143785) has 30 or
    more disadvantaged pupils (35) to be judged on one year, and no school has two years to pool, so the other
    376 cannot be judged; the overview must not read as if they had been judged and found fine."""
    path = DATA / "2024-2025" / "919_ks2final.csv"
    import_file(data=path.read_bytes(), file_name=path.name, folder="2024-2025")
    herts = LocalAuthority.objects.get(code="919")
    Group.objects.get_or_create(name=Role.LA_OFFICER)
    client = Client()
    client.force_login(make_user("officer919", Role.LA_OFFICER, herts))
    page = " ".join(client.get("/overview/").content.decode().split())
    # Judged against England's figures in the same file (with pupil counts), Fairlands (12 of 35) has no reason.
    assert (
        "The one school that could be judged has no reason for challenge on disadvantaged pupils' headline "
        "measures." in page
    )
    assert (
        "376 schools were not judged: no figure for disadvantaged pupils, a group under 6 pupils, or fewer than 30 "
        "pupils with fewer than two comparable years loaded to pool." in page
    )
    assert "of 377 schools" not in page


def test_adviser_list_tells_not_judged_from_no_flags(tmp_path):
    """Ashley (URN 141294) has KS2 figures for 2016/17 (6 disadvantaged pupils) and 2018/19 (9): two years to
    pool, so it is judged. Audley (URN 125060) has 2018/19 alone, 8 disadvantaged pupils: under 30 and nothing
    to pool with, so "No flags" would claim a judgement that was never made."""
    _load(DATA / "ks2_2016-17_936_surrey.csv", "141294", tmp_path)
    _load(DATA / "ks2_2018-19_936_surrey.csv", "141294,125060", tmp_path)
    surrey = LocalAuthority.objects.get(code="936")
    Group.objects.get_or_create(name=Role.ADVISER)
    schools = list(School.objects.filter(urn__in=[141294, 125060]))
    client = Client()
    client.force_login(make_user("adviser936", Role.ADVISER, surrey, schools=schools))
    page = " ".join(client.get("/schools/").content.decode().split())
    rows = {urn: page[page.index(f'<td class="num">{urn}</td>') :].split("</tr>")[0] for urn in (141294, 125060)}
    assert "<td>Not judged</td>" in rows[125060]
    assert "Not judged" not in rows[141294]
    assert '"Not judged": figures, but a group under 6 pupils, or under 30 with fewer than two comparable' in page


def test_school_table_names_the_comparison_group(ashley):
    """Boys are compared with girls: the column is girls in England, not "other pupils"."""
    page = ashley.get("/schools/141294/?group=boys").content.decode()
    assert '<th scope="col" class="num">Girls, England</th>' in page
    assert "Other pupils, England" not in page
    default = ashley.get("/schools/141294/").content.decode()
    assert '<th scope="col" class="num">Not disadvantaged (other pupils), England</th>' in default
