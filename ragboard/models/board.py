"""The strategic plan board: priority areas, workstreams and strategic targets, RAG-rated."""

from __future__ import annotations

from django.db import models

from gapmonitor.models import Audited, Revised, optional_link
from schools.models import LocalAuthority
from strategy.models import Rag

# Cheshire East's five-point RAG (Raising Achievement Strategic Plan) is the one strategy's action updates use:
# one definition for both.
PlanRag = Rag


PLAN_RAG_LETTERS = {"red": "R", "amber-red": "A/R", "amber": "A", "amber-green": "A/G", "green": "G"}


class PriorityArea(Audited):
    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ragboard_priority_areas")
    title = models.CharField(max_length=160)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["la", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["la", "title"], name="ragboard_priority_area_title")]

    def __str__(self):
        return self.title


class Workstream(Revised):
    """A workstream: analysis of need, interventions, intended impact, a five-point RAG with narrative and evidence."""

    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="workstreams")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    analysis_of_need = models.TextField()
    interventions = models.TextField()
    intended_impact = models.TextField()
    rag = models.CharField("RAG rating", max_length=12, choices=PlanRag.choices, blank=True)
    rag_narrative = models.TextField("RAG narrative", blank=True)
    evidence = models.TextField("evidence / impact", blank=True)
    next_priorities = models.TextField("next priorities", blank=True)

    class Meta:
        ordering = ["priority_area", "order", "title"]
        constraints = [models.UniqueConstraint(fields=["priority_area", "title"], name="ragboard_workstream_title")]

    def __str__(self):
        return self.title

    @property
    def rag_letters(self) -> str:
        return PLAN_RAG_LETTERS.get(self.rag, "–")


class StrategicTarget(Audited):
    """A strategic target with 'are we on track?', computed from a linked ``strategy`` target where there is one."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="ragboard_strategic_targets")
    text = models.TextField()
    target_year = models.CharField(max_length=20, blank=True, help_text='e.g. "2026/27"')
    order = models.PositiveSmallIntegerField(default=0)
    evidence = models.TextField("evidence / impact so far", blank=True)
    strategy_target = optional_link(
        "strategy.Target", help_text="A measured target in Plans; 'are we on track?' is then computed from results."
    )
    judged_on_track = models.CharField(
        "on track (judged by hand)",
        max_length=12,
        choices=PlanRag.choices,
        blank=True,
        help_text="Used only when the target is not linked to a measured target.",
    )

    class Meta:
        ordering = ["la", "order", "id"]

    def __str__(self):
        return self.text[:80]
