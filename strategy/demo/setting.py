"""What every part of the strategy demo reads: the demo LA, its people and schools, the measures and groups its
plans are about, and the dates the demo is set on (the autumn after the latest results)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser

from schools.demo import DemoContext
from schools.models import LocalAuthority, Measure, PupilGroup, School


@dataclass
class Setting:
    context: DemoContext
    la: LocalAuthority
    last: int  # the latest results year
    baseline: int  # the year targets start from
    officer: AbstractBaseUser | None
    adviser: AbstractBaseUser | None
    ks2: Measure
    att8: Measure
    gld: Measure
    dis: PupilGroup
    sen: PupilGroup
    autumn: date  # the autumn term a year after the latest results
    current: int  # the results year of the academic year the demo is set in
    primaries: list[School]
    head_school: School
    adviser_schools: list[School]

    @classmethod
    def of(cls, context: DemoContext) -> Setting:
        """The setting of what the schools generator made."""
        la, users, years = context.la, context.users, sorted(context.years)
        last = years[-1]
        baseline = years[-3] if len(years) >= 3 else years[0]
        officer, adviser, head = users.get("officer"), users.get("adviser"), users.get("head")
        ks2 = Measure.objects.get(code="ks2_rwm_exp")
        att8 = Measure.objects.get(code="ks4_att8")
        gld = Measure.objects.get(code="eyfs_gld")
        dis = PupilGroup.objects.select_related("comparison").get(code="disadvantaged")
        sen = PupilGroup.objects.select_related("comparison").get(code="sen_any")
        # The autumn term a year after the latest results: the demo is set in the current academic year.
        autumn = date(last + 1, 10, 1)
        current = last + 2  # its results year

        primaries = [s for s in context.schools if s.phase == "primary"]
        head_school = head.profile.school if head is not None else primaries[0]
        adviser_schools = list(adviser.profile.schools.order_by("urn")) if adviser is not None else primaries[:2]
        return cls(
            context=context,
            la=la,
            last=last,
            baseline=baseline,
            officer=officer,
            adviser=adviser,
            ks2=ks2,
            att8=att8,
            gld=gld,
            dis=dis,
            sen=sen,
            autumn=autumn,
            current=current,
            primaries=primaries,
            head_school=head_school,
            adviser_schools=adviser_schools,
        )
