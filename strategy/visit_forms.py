"""The visit report's forms: the visit's details, its focus areas (flagged gaps picked, free text), the
review of the last visit's actions (their RAG updated in place), the actions agreed now, the head's
acknowledgement and the LA's quality assurance."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from .forms import DATE, up_to_today
from .models import SEVEN_FEATURES, Rag, Strand, VisitJudgement, VisitQualityAssurance, VisitReport
from .services import ActionReview, FocusAreas

RAG_OR_BLANK = [("", "Not yet judged")] + Rag.choices


class VisitForm(forms.ModelForm):
    class Meta:
        model = VisitReport
        fields = ["visit_date", "visit_type", "purpose", "strengths", "areas_for_development", "next_visit_date"]
        widgets = {
            "visit_date": DATE,
            "next_visit_date": DATE,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "strengths": forms.Textarea(attrs={"rows": 4}),
            "areas_for_development": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["visit_date"].initial = date.today

    def clean_visit_date(self):
        return up_to_today(self.cleaned_data["visit_date"], "Record a visit once it has happened.")

    def clean(self):
        data = super().clean()
        if data.get("visit_date") and data.get("next_visit_date") and data["next_visit_date"] <= data["visit_date"]:
            self.add_error("next_visit_date", "The next visit must be after this one.")
        return data


class FocusForm(forms.Form):
    """Focus areas: the flagged gaps picked (checkboxes) and any others, one a line."""

    gaps = forms.MultipleChoiceField(
        label="Flagged gaps to focus on", widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )
    other = forms.CharField(
        label="Other focus areas",
        help_text="One a line, e.g. “Attendance of disadvantaged pupils”.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gaps"].choices = choices
        if not choices:
            del self.fields["gaps"]

    def clean_other(self):
        lines = [line.strip() for line in self.cleaned_data["other"].splitlines() if line.strip()]
        too_long = [line for line in lines if len(line) > 160]
        if too_long:
            raise ValidationError(f"Keep each focus area under 160 characters: “{too_long[0][:40]}…”.")
        return lines

    def focus(self) -> FocusAreas:
        return FocusAreas(gaps=list(self.cleaned_data.get("gaps", [])), other=self.cleaned_data["other"])


class ReviewForm(forms.Form):
    """One action agreed at the last visit: its RAG now (pre-set to its current status) and a note."""

    rag = forms.ChoiceField(label="RAG now", choices=[("", "No update yet")] + Rag.choices, required=False)
    note = forms.CharField(label="Note", max_length=500, required=False)


class BaseReviewFormSet(forms.BaseFormSet):
    def __init__(self, *args, actions, **kwargs):
        self.actions = list(actions)
        kwargs.setdefault("initial", [{"rag": a.rag} for a in self.actions])
        super().__init__(*args, **kwargs)
        for form, action in zip(self.forms, self.actions, strict=False):
            form.action = action

    def total_form_count(self):
        return len(self.actions)

    def clean(self):
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("note") and not data.get("rag"):
                form.add_error("rag", "Give the action a RAG rating with your note.")

    def reviews(self) -> list[ActionReview]:
        return [
            ActionReview(
                action=form.action, rag=form.cleaned_data.get("rag", ""), note=form.cleaned_data.get("note", "")
            )
            for form in self.forms
        ]


ReviewFormSet = forms.formset_factory(ReviewForm, formset=BaseReviewFormSet, extra=0)


class JudgedForm(forms.ModelForm):
    """A focus area already on the report: its RAG judgement and comment, or removed."""

    class Meta:
        model = VisitJudgement
        fields = ["rag", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rag"].choices = RAG_OR_BLANK


JudgedFormSet = forms.modelformset_factory(VisitJudgement, form=JudgedForm, extra=0, can_delete=True)


def judged(formset) -> list[tuple]:
    return [
        (
            form.instance,
            form.cleaned_data.get("rag", ""),
            form.cleaned_data.get("comment", ""),
            form.cleaned_data.get("DELETE", False),
        )
        for form in formset.forms
    ]


class AgreedActionForm(forms.Form):
    key_action = forms.CharField(label="Agreed action", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    strand = forms.ChoiceField(label="Strand", choices=Strand.choices, initial=Strand.NARROW)
    lead_role = forms.CharField(label="Lead", max_length=120, required=False)
    due_date = forms.DateField(label="Due by", widget=DATE, required=False)
    intended_outcome = forms.CharField(
        label="Intended outcome", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


AgreedActionFormSet = forms.formset_factory(AgreedActionForm, extra=3)


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(label="Your comment (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class QualityAssuranceForm(forms.ModelForm):
    class Meta:
        model = VisitQualityAssurance
        fields = [name for name, _ in SEVEN_FEATURES] + ["comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}
