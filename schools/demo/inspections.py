"""Ofsted histories for the demo schools, under the rules and frameworks in force on each date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from ..models import OVERALL_GRADES_END, REPORT_CARDS_START, OfstedInspection, OfstedJudgement


def _school_day(rng, first: date, last: date) -> date:
    """A weekday in term time (not August) between two dates."""
    while True:
        when = first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))
        if when.weekday() < 5 and when.month != 8:
            return when


def _inspection_history(school, rng) -> list[tuple]:
    """(date, framework, overall grade, concern, {area: grade}) under the rules in force on each date: an
    overall grade before 2 September 2024, key judgements only until November 2025, then report cards."""
    Grade, Judged = OfstedInspection.Grade, OfstedJudgement.Area
    graded, cards = OfstedInspection.GRADED_SCALE, OfstedInspection.REPORT_CARD_SCALE
    quality = int(rng.choice(4, p=[0.14, 0.68, 0.14, 0.04]))  # 0 outstanding … 3 inadequate
    first = _school_day(rng, date(2015, 9, 1), date(2019, 7, 20))
    history = [
        (first, OfstedInspection.Framework.GRADED, graded[quality], "special_measures" if quality == 3 else "", {})
    ]
    quality = int(np.clip(quality + rng.integers(-1, 2), 0, 3))
    second = _school_day(rng, date(2021, 9, 1), date(2026, 10, 16))
    extra_areas = (
        [Judged.EARLY_YEARS_PROVISION]
        if school.phase == "primary"
        else ([Judged.SIXTH_FORM_PROVISION] if school.phase == "secondary" else [])
    )
    if second < OVERALL_GRADES_END:
        history.append(
            (
                second,
                OfstedInspection.Framework.GRADED,
                graded[quality],
                "serious_weaknesses" if quality == 3 else "",
                {},
            )
        )
    elif second < REPORT_CARDS_START:
        areas = [
            Judged.QUALITY_OF_EDUCATION,
            Judged.BEHAVIOUR_AND_ATTITUDES,
            Judged.PERSONAL_DEVELOPMENT,
            Judged.LEADERSHIP_AND_MANAGEMENT,
        ] + extra_areas
        judgements = {area: graded[int(np.clip(quality + rng.choice([-1, 0, 0, 0, 1]), 0, 3))] for area in areas}
        history.append((second, OfstedInspection.Framework.GRADED, "", "", judgements))
    if second >= REPORT_CARDS_START or (second < date(2023, 1, 1) and rng.random() < 0.3):
        when = second if second >= REPORT_CARDS_START else _school_day(rng, REPORT_CARDS_START, date(2026, 10, 16))
        areas = [
            Judged.INCLUSION,
            Judged.CURRICULUM_AND_TEACHING,
            Judged.ACHIEVEMENT,
            Judged.ATTENDANCE_AND_BEHAVIOUR,
            Judged.PERSONAL_DEVELOPMENT_AND_WELLBEING,
            Judged.LEADERSHIP_AND_GOVERNANCE,
        ]
        areas += (
            [Judged.EARLY_YEARS]
            if school.phase == "primary"
            else ([Judged.SIXTH_FORM] if school.phase == "secondary" else [])
        )
        # Most areas at the expected standard; the school's quality moves them up or down.
        centre = 2 + (quality - 1) * 0.8
        judgements = {area: cards[int(np.clip(round(centre + rng.normal(0, 0.7)), 0, 4))] for area in areas}
        judgements[Judged.SAFEGUARDING] = Grade.NOT_MET if rng.random() < 0.03 else Grade.MET
        history.append((when, OfstedInspection.Framework.REPORT_CARD, "", "", judgements))
    return history


def write_inspections(schools, rng):
    """Each demo school's Ofsted history, replacing what an earlier run (or an older rule) left behind."""
    wanted = {(school.pk, row[0]): row for school in schools for row in _inspection_history(school, rng)}
    existing = {}
    for inspection in OfstedInspection.objects.filter(school__in=schools).prefetch_related("judgements"):
        existing[(inspection.school_id, inspection.inspection_date)] = (
            inspection.pk,
            (
                inspection.inspection_date,
                inspection.framework,
                inspection.grade,
                inspection.category_of_concern,
                {j.area: j.grade for j in inspection.judgements.all()},
            ),
        )
    stale = [pk for key, (pk, row) in existing.items() if wanted.get(key) != row]
    OfstedInspection.objects.filter(pk__in=stale).delete()
    kept = {key for key, (pk, _row) in existing.items() if pk not in stale}
    new = [
        (
            OfstedInspection(
                school_id=school_id, inspection_date=when, framework=framework, grade=grade, category_of_concern=concern
            ),
            judgements,
        )
        for (school_id, when), (_, framework, grade, concern, judgements) in wanted.items()
        if (school_id, when) not in kept
    ]
    OfstedInspection.objects.bulk_create([inspection for inspection, _ in new], batch_size=1000)
    OfstedJudgement.objects.bulk_create(
        [
            OfstedJudgement(inspection=inspection, area=area, grade=grade)
            for inspection, judgements in new
            for area, grade in judgements.items()
        ],
        batch_size=2000,
    )
