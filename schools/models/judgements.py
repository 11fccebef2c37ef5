"""Judgements kept for ranking (``schools.stored_judgements``): each school's priority and gap-buster judgement
on one measure for one focus group, as the gap engine gives it (``schools.judgements.judge``), so the priority
list and the gap busters are ordered, filtered and paged by the database."""

from django.db import models, transaction
from django.dispatch import Signal

from .organisations import LocalAuthority, School
from .reference import Measure, PupilGroup

# Sent by ``JudgementSet.forget`` in the write's transaction, before the stale sets are deleted (``stale``: a
# queryset of them; ``la_ids``: None for every LA): ``schools.rejudging`` notes what to judge again on commit.
sets_going_stale = Signal()


class JudgementSet(models.Model):
    """Every school of an LA judged on one measure for one focus group, ending at one results year, on the figures
    as viewers who do (or do not) see small cohorts see them, under one set of rules (``rules``: the settings the
    engine reads). Written on the first read that needs it; deleted, with its judgements, in the same transaction
    as any write that could change them (results, schools, benchmarks, thresholds, measures, groups)."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    pupil_group = models.ForeignKey(PupilGroup, on_delete=models.CASCADE, related_name="+")
    asked_year = models.PositiveSmallIntegerField(help_text="The results year asked for; 0: each school's latest.")
    sees_small = models.BooleanField(help_text="Judged on figures as a viewer who sees small cohorts sees them.")
    rules = models.CharField(max_length=16, help_text="Fingerprint of the settings the judgements rest on.")
    stamp = models.BigIntegerField(help_text="The LA's newest pooled figure when the set was judged.")

    class Meta:
        verbose_name = "judgement set"
        constraints = [
            models.UniqueConstraint(
                fields=["la", "measure", "pupil_group", "asked_year", "sees_small", "rules"],
                name="judgementset_unique",
            )
        ]

    def __str__(self):
        return f"{self.la_id} {self.measure_id} {self.pupil_group_id} {self.asked_year} {self.sees_small}"

    @classmethod
    def forget(cls, *, la_ids=None, measure_id=None) -> None:
        """Delete the kept sets (and their judgements) of these LAs (None: every LA), on this measure (None:
        every measure): a write made them stale. Three statements, whatever the number of judgements; once the
        write's transaction commits, what they were is judged again (``schools.rejudging``)."""
        stale = cls.objects.all()
        if la_ids is not None:
            la_ids = list(la_ids)
            stale = stale.filter(la_id__in=la_ids)
        if measure_id is not None:
            stale = stale.filter(measure_id=measure_id)
        with transaction.atomic(using=stale.db, savepoint=False):  # in autocommit: re-judged after the deletes
            sets_going_stale.send(sender=cls, stale=stale, la_ids=la_ids)
            judgements = SchoolJudgement.objects.filter(judgement_set__in=stale.values("pk"))
            judgements._raw_delete(judgements.db)
            stale._raw_delete(stale.db)


class SchoolJudgement(models.Model):
    """One school's judgement on a set's measure and group, stating its gap on one comparator (the trend a
    judgement reads is that comparator's). ``priority`` and ``buster`` hold reason codes, each between spaces
    (" wide_gap stubborn "), so a list can ask for schools with a given reason."""

    judgement_set = models.ForeignKey(JudgementSet, on_delete=models.CASCADE, related_name="judgements")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    comparator = models.CharField(max_length=8)
    results_year = models.PositiveSmallIntegerField(null=True, help_text="The year the row ends at.")
    rankable = models.BooleanField(help_text="Figures big enough to publish (``GapRow.rankable``).")
    priority = models.CharField(max_length=100, blank=True, default="")
    reasons = models.PositiveSmallIntegerField(default=0, help_text="Number of priority reasons.")
    buster = models.CharField(max_length=60, blank=True, default="")
    basis = models.CharField(max_length=120, blank=True, default="")
    vs_national = models.FloatField(null=True, help_text="Gap vs other pupils nationally (the rank's tie-break).")
    cells = models.JSONField(
        default=dict, blank=True, help_text="The list's figure columns as its export writes them (disclosed)."
    )
    small_figures = models.PositiveSmallIntegerField(
        default=0, help_text="Figures in those columns resting on fewer pupils than the suppression threshold."
    )
    shown = models.JSONField(
        default=dict, blank=True, help_text="The figures the list's page shows of the row (disclosed, unrounded)."
    )

    class Meta:
        verbose_name = "school judgement"
        constraints = [
            models.UniqueConstraint(fields=["judgement_set", "comparator", "school"], name="schooljudgement_unique")
        ]
        indexes = [models.Index(fields=["judgement_set", "comparator", "reasons"], name="schooljudgement_rank")]

    def __str__(self):
        return f"{self.judgement_set_id} {self.school_id} {self.comparator}"
