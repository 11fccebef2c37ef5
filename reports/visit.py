"""A visit report as a document: the stored snapshot of the gaps discussed (suppressed again on the way
out, whoever prints it), the purpose, strengths, areas for development, judgements, agreed actions and
whether the headteacher has acknowledged it."""

from __future__ import annotations

from gapmonitor.conf import conf
from strategy import selectors as strategy_selectors
from strategy.models import VisitQualityAssurance, year_label

from .document import Bullets, Document, Heading, Paragraph, Table, gap_text, suppression_note


def _small(row: dict) -> bool:
    threshold = conf.suppression_threshold
    return any(c is not None and 0 < c < threshold for c in (row.get("focus_cohort"), row.get("comparison_cohort")))


def _value(value, unit) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}%" if unit == "percent" else f"{value:.2f}"


def snapshot_table(rows: list[dict]) -> Table:
    """The stored figures; a row resting on a group of fewer than the threshold is shown as SUPP only (the
    snapshot holds no whole-school figure, so the gap and both values go together)."""
    body = []
    for row in rows:
        if _small(row):
            cells = ["SUPP", "SUPP", "SUPP", "SUPP"]
        else:
            cells = [
                str(row.get("focus_cohort") if row.get("focus_cohort") is not None else "–"),
                _value(row.get("focus_value"), row.get("unit")),
                _value(row.get("comparison_value"), row.get("unit")),
                gap_text(row.get("gap")),
            ]
        body.append(
            [row["measure_name"], row["group_name"], year_label(row["year"])]
            + cells
            + [gap_text(row.get("national_gap"))]
        )
    return Table(
        caption="Gap figures as they stood on the day of the visit (stored with the report)",
        headers=["Measure", "Group", "Year", "Pupils", "Group result", "Comparison result", "Gap", "England's gap"],
        rows=body,
        note=suppression_note(),
    )


def build_visit_report(report, *, user) -> Document:
    """``report`` comes from ``get_visible_visit`` (scoped to the user)."""
    adviser = report.adviser.get_full_name() or report.adviser.username
    document = Document(
        title=f"Visit report: {report.school.name}, {report.visit_date:%d %B %Y}",
        subtitle=f"{report.get_visit_type_display()} · adviser {adviser} · URN {report.school.urn}",
        footer=f"Visit report, {report.school.name}, {report.visit_date:%d %B %Y}",
    )
    document.add(Heading("Purpose"), Paragraph(report.purpose))
    document.add(Heading("The gaps discussed"))
    if report.gap_snapshot:
        document.add(snapshot_table(report.gap_snapshot))
    else:
        document.add(Paragraph("No gap figures were stored with this report."))
    document.add(Heading("Strengths"), Paragraph(report.strengths or "–"))
    document.add(Heading("Areas for development"), Paragraph(report.areas_for_development or "–"))
    judgements = list(report.judgements.all())
    document.add(Heading("Judgements"))
    document.add(
        Table(
            caption="RAG judgement for each focus area",
            headers=["Focus area", "Judgement", "Comment"],
            rows=[[j.focus_area, j.get_rag_display(), j.comment] for j in judgements],
        )
        if judgements
        else Paragraph("No judgements recorded.")
    )
    actions = list(strategy_selectors.actions_with_updates(report.agreed_actions.all()))
    document.add(Heading("Agreed actions"))
    document.add(
        Bullets(
            [
                f"{a.key_action} ({a.get_strand_display()}; lead {a.lead}; {a.when}) — {a.get_rag_display()}"
                for a in actions
            ]
        )
        if actions
        else Paragraph("No actions were agreed.")
    )
    if report.next_visit_date:
        document.add(Paragraph(f"Next visit: {report.next_visit_date:%d %B %Y}."))
    document.add(Heading("Headteacher's acknowledgement"))
    if report.acknowledged_at:
        by = report.acknowledged_by
        who = (by.get_full_name() or by.username) if by else "–"
        text = f"Acknowledged by {who} on {report.acknowledged_at:%d %B %Y}."
        if report.head_comment:
            text += f" Comment: “{report.head_comment}”"
        document.add(Paragraph(text))
    else:
        document.add(Paragraph("Not yet acknowledged by the headteacher."))
    try:
        qa = report.quality_assurance
    except VisitQualityAssurance.DoesNotExist:
        qa = None
    document.add(Heading("Quality assurance"))
    if qa:
        document.add(
            Paragraph(
                f"Checked on {qa.reviewed_on:%d %B %Y}: {qa.features_met} of the 7 features of a "
                f"good report{' — all met' if qa.meets_all else ''}."
            )
        )
    else:
        document.add(Paragraph("Not yet quality-assured."))
    return document
