"""Forms for the self-evaluation. They validate input; the rules are applied by ``services``."""

from __future__ import annotations

import os

from django import forms
from django.contrib.auth import get_user_model

from gapmonitor.conf import conf
from gapmonitor.uploads import UploadRefused, check_content
from schools.access import assignable_users
from schools.roles import Role

from .models import EVIDENCE_EXTENSIONS, Descriptor, EvidenceItem, Grade, Judgement, StrategicTarget, Workstream

GRADE_CHOICES = [("", "Not yet rated"), *Grade.choices]
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


class RoundForm(forms.Form):
    label = forms.CharField(max_length=60, help_text='e.g. "2025/26 autumn"')
    as_of = forms.DateField(label="Evaluation date", widget=forms.DateInput(attrs={"type": "date"}))
    reviewer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        help_text="Gives the external view; administrators can always review.",
    )
    copy_from = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Start from round",
        help_text="Copies ticked criteria, figures, texts and evidence links; never grades.",
    )

    def __init__(self, *args, rounds, la, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = rounds
        # The LA officers this user may name (administrators review every round without being named).
        self.fields["reviewer"].queryset = assignable_users(user, la).filter(
            pk__in=get_user_model().objects.filter(groups__name=Role.LA_OFFICER).values("pk")
        )


class JudgementForm(forms.Form):
    la_grade = forms.ChoiceField(label="LA grade", choices=GRADE_CHOICES, required=False)
    reviewer_grade = forms.ChoiceField(label="Reviewer grade", choices=GRADE_CHOICES, required=False)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    strengths = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    areas_for_improvement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    ticked = forms.ModelMultipleChoiceField(
        queryset=Descriptor.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Reviewers only: why a grade the rules forbid is right. Recorded with your name.",
    )

    def __init__(self, *args, judgement: Judgement, reviewer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.judgement = judgement
        applicable = [
            d.pk
            for d in judgement.standard_set.descriptors.all()
            if d.applies_to(judgement.phase) and not d.is_automatic
        ]
        self.fields["ticked"].queryset = Descriptor.objects.filter(pk__in=applicable)
        if not reviewer:
            self.fields["reviewer_grade"].disabled = True
            del self.fields["override_reason"]
        self.metric_fields = []
        codes = {
            d.params.get("metric")
            for d in judgement.standard_set.descriptors.all()
            if d.rule == Descriptor.Rule.BAND and d.applies_to(judgement.phase)
        }
        for metric in judgement.standard_set.framework.metrics:
            if metric["code"] not in codes:
                continue
            name = f"metric_{metric['code']}"
            if metric.get("kind") == "percent":
                field = forms.DecimalField(
                    label=f"{metric['label']} (%)", required=False, min_value=0, max_value=100, decimal_places=1
                )
            else:
                field = forms.ChoiceField(
                    label=metric["label"],
                    required=False,
                    choices=[("", "Not recorded"), *[tuple(c) for c in metric.get("choices", [])]],
                )
            field.initial = judgement.metrics.get(metric["code"])
            self.fields[name] = field
            self.metric_fields.append((metric["code"], name))

    def metrics(self) -> dict:
        return {
            code: self.cleaned_data.get(name)
            for code, name in self.metric_fields
            if self.cleaned_data.get(name) not in (None, "")
        }

    def bound_metric_fields(self):
        return [self[name] for _code, name in self.metric_fields]


class OverallForm(forms.Form):
    la_grade = forms.ChoiceField(label="LA grade", choices=GRADE_CHOICES, required=False)
    reviewer_grade = forms.ChoiceField(label="Reviewer grade", choices=GRADE_CHOICES, required=False)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, reviewer: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not reviewer:
            self.fields["reviewer_grade"].disabled = True


class EvidenceForm(forms.ModelForm):
    link = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A link to the document, if it lives elsewhere (e.g. the intranet).",
    )

    class Meta:
        model = EvidenceItem
        fields = ["kind", "title", "date", "summary", "file", "link", "shows_impact", "impact_strength"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "impact_strength": "Good needs evidence of impact; Outstanding needs substantial evidence of impact.",
            "file": "PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text or an image; at most 20 MB. "
            "It is stored under a generated name.",
        }

    descriptors = forms.ModelMultipleChoiceField(
        queryset=Descriptor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Criteria this evidences",
        help_text="Optional: the criteria of the judgement this item supports.",
    )

    def __init__(self, *args, judgement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if judgement is None:
            del self.fields["descriptors"]
        else:
            applicable = [d.pk for d in judgement.standard_set.descriptors.all() if d.applies_to(judgement.phase)]
            self.fields["descriptors"].queryset = Descriptor.objects.filter(pk__in=applicable).order_by("order")
            self.fields["descriptors"].label_from_instance = lambda d: f"{d.get_column_display()}: {d.text}"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size"):
            ext = os.path.splitext(upload.name)[1].lower()
            if ext not in EVIDENCE_EXTENSIONS:
                raise forms.ValidationError(f"Files of type {ext or '(none)'} are not accepted.")
            limit = min(MAX_EVIDENCE_BYTES, conf.max_upload_bytes)
            if upload.size > limit:
                raise forms.ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB.")
            # The name decides nothing: the content must be what the extension says (gapmonitor.uploads).
            data = upload.read()
            upload.seek(0)
            try:
                check_content(data, upload.name)
            except UploadRefused as exc:
                raise forms.ValidationError(exc.messages) from exc
        return upload


class LinkEvidenceForm(forms.Form):
    judgement = forms.ModelChoiceField(queryset=Judgement.objects.none(), label="Link to judgement")

    def __init__(self, *args, judgements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgement"].queryset = judgements


class WorkstreamForm(forms.ModelForm):
    class Meta:
        model = Workstream
        fields = [
            "priority_area",
            "title",
            "order",
            "analysis_of_need",
            "interventions",
            "intended_impact",
            "rag",
            "rag_narrative",
            "evidence",
            "next_priorities",
        ]

    def __init__(self, *args, la, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority_area"].queryset = self.fields["priority_area"].queryset.filter(la=la)


class StrategicTargetForm(forms.ModelForm):
    class Meta:
        model = StrategicTarget
        fields = ["text", "target_year", "order", "strategy_target", "evidence", "judged_on_track"]

    def __init__(self, *args, la, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy_target"].queryset = self.fields["strategy_target"].queryset.filter(la=la)
        self.fields["strategy_target"].required = False
        self.fields["strategy_target"].label = "Measured target (Plans)"
