"""Ofsted judgements under the rules of their date: overall grades only before 2 September 2024, report cards
(from 10 November 2025) graded per evaluation area, never overall."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from schools.models import LocalAuthority, OfstedInspection, OfstedJudgement, Profile, School
from schools.roles import Role

GRADED, CARD = OfstedInspection.Framework.GRADED, OfstedInspection.Framework.REPORT_CARD
Area, Grade = OfstedJudgement.Area, OfstedInspection.Grade


@pytest.fixture
def school(db):
    la = LocalAuthority.objects.create(code="995", name="Testmoor")
    return School.objects.create(urn=930001, la=la, name="Heath Primary", phase="primary")


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_overall_grade_before_september_2024_accepted(school):
    inspection = OfstedInspection(school=school, inspection_date=date(2024, 7, 10), framework=GRADED, grade=Grade.GOOD)
    inspection.full_clean()
    assert inspection.grade_number == 2


def test_overall_grade_after_september_2024_refused(school):
    errors = _errors(
        OfstedInspection(school=school, inspection_date=date(2024, 9, 2), framework=GRADED, grade=Grade.GOOD)
    )
    assert "no overall effectiveness grade for inspections from 2 Sep 2024" in errors["grade"][0]
    # The same inspection without an overall grade (key judgements only) is right.
    OfstedInspection(school=school, inspection_date=date(2024, 9, 2), framework=GRADED).full_clean()


def test_overall_grade_refused_by_the_database_too(school):
    """Bulk writes (imports, the demo) skip full_clean: the check constraint stops them."""
    with pytest.raises(IntegrityError), transaction.atomic():
        OfstedInspection.objects.bulk_create(
            [
                OfstedInspection(
                    school=school, inspection_date=date(2025, 3, 4), framework=GRADED, grade=Grade.OUTSTANDING
                )
            ]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        OfstedInspection.objects.create(
            school=school, inspection_date=date(2026, 1, 20), framework=CARD, grade=Grade.STRONG
        )


def test_frameworks_in_force_on_their_dates(school):
    early_card = _errors(OfstedInspection(school=school, inspection_date=date(2025, 10, 1), framework=CARD))
    assert "Report cards began on 10 Nov 2025" in early_card["framework"][0]
    late_graded = _errors(OfstedInspection(school=school, inspection_date=date(2026, 1, 15), framework=GRADED))
    assert "Graded inspections ended in November 2025" in late_graded["framework"][0]
    card_with_overall = _errors(
        OfstedInspection(school=school, inspection_date=date(2026, 1, 15), framework=CARD, grade=Grade.EXPECTED)
    )
    assert "A report card has no overall grade" in card_with_overall["grade"][0]
    assert OfstedInspection.framework_on(date(2025, 11, 7)) == GRADED
    assert OfstedInspection.framework_on(date(2025, 11, 10)) == CARD


def test_areas_graded_on_their_own_scales(school):
    card = OfstedInspection.objects.create(school=school, inspection_date=date(2026, 1, 20), framework=CARD)
    OfstedJudgement(inspection=card, area=Area.INCLUSION, grade=Grade.STRONG).full_clean()
    OfstedJudgement(inspection=card, area=Area.SAFEGUARDING, grade=Grade.MET).full_clean()
    assert (
        "Achievement is graded exceptional, strong standard, expected standard, needs attention, urgent "
        "improvement." in _errors(OfstedJudgement(inspection=card, area=Area.ACHIEVEMENT, grade=Grade.GOOD))["grade"]
    )
    assert (
        "Safeguarding is graded met, not met."
        in _errors(OfstedJudgement(inspection=card, area=Area.SAFEGUARDING, grade=Grade.STRONG))["grade"]
    )
    assert (
        "Quality of education is not graded"
        in _errors(OfstedJudgement(inspection=card, area=Area.QUALITY_OF_EDUCATION, grade=Grade.EXPECTED))["area"][0]
    )
    graded = OfstedInspection.objects.create(school=school, inspection_date=date(2025, 2, 4), framework=GRADED)
    OfstedJudgement(inspection=graded, area=Area.QUALITY_OF_EDUCATION, grade=Grade.GOOD).full_clean()
    assert (
        "Inclusion is not graded"
        in _errors(OfstedJudgement(inspection=graded, area=Area.INCLUSION, grade=Grade.STRONG))["area"][0]
    )


def test_school_page_shows_report_card_per_area(school, django_user_model):
    OfstedInspection.objects.create(
        school=school, inspection_date=date(2019, 3, 12), framework=GRADED, grade=Grade.REQUIRES_IMPROVEMENT
    )
    graded = OfstedInspection.objects.create(school=school, inspection_date=date(2025, 2, 4), framework=GRADED)
    OfstedJudgement.objects.create(inspection=graded, area=Area.QUALITY_OF_EDUCATION, grade=Grade.GOOD)
    card = OfstedInspection.objects.create(school=school, inspection_date=date(2026, 1, 20), framework=CARD)
    for area, grade in (
        (Area.ACHIEVEMENT, Grade.NEEDS_ATTENTION),
        (Area.INCLUSION, Grade.STRONG),
        (Area.SAFEGUARDING, Grade.MET),
    ):
        OfstedJudgement.objects.create(inspection=card, area=area, grade=grade)
    officer = django_user_model.objects.create_user("ofsted-officer", password="x")
    officer.groups.add(Group.objects.get(name=Role.LA_OFFICER))
    Profile.objects.create(user=officer, la=school.la)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/schools/{school.urn}/").content.decode()
    # The latest graded inspection (February 2025) had no overall grade, only key judgements.
    assert "4 Feb 2025: no overall effectiveness grade (Ofsted gave none for inspections from 2 Sep 2024)" in page
    assert "Quality of education good" in page
    assert "Requires improvement" not in page  # the 2019 grade is history, not the latest graded inspection
    # The report card: one row per evaluation area, in Ofsted's order, no overall grade.
    rows = page[page.index("Ofsted report card, 20 Jan 2026") :]
    assert rows.index("Inclusion") < rows.index("Achievement") < rows.index("Safeguarding")
    for area, grade in (("Inclusion", "Strong standard"), ("Achievement", "Needs attention"), ("Safeguarding", "Met")):
        assert f'<th scope="row">{area}</th><td>{grade}</td>' in rows
