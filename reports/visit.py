"""A visit report as a document, with the page's content (``strategy.visits.visit_content``): the figures
stored with it (one results year per measure; reports stored before that are suppressed again on the way
out, whoever prints them), the review of the last visit's actions, the focus areas, strengths, areas for
development, the actions agreed and whether the headteacher has acknowledged it."""

from __future__ import annotations

from gapmonitor.conf import conf
from strategy.models import VisitQualityAssurance, year_label
from strategy.visits import visit_content

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


def figures_table(rows: list[dict]) -> Table:
    """The stored figures (already disclosed when stored): one results year per measure, named on each row,
    each gap against national as the school page leads with it."""
    body = [
        [
            row["measure_name"],
            row.get("year_label") or year_label(row["year"]),
            f"{row['group_name']} vs {row['comparison_name'].lower()}",
            str(row["focus_cohort"]) if row.get("focus_value") is not None else (row.get("focus_marker") or "–"),
            _value(row.get("focus_value"), row.get("unit")) if row.get("focus_value") is not None else "SUPP",
            _value(row.get("national_comparison_value"), row.get("unit")),
            gap_text(row.get("gap")) if row.get("gap") is not None else ("SUPP" if row.get("suppressed") else "–"),
            gap_text(row.get("previous_gap")),
            gap_text(row.get("national_gap")),
            "; ".join(row.get("flags") or []) or "–",
        ]
        for row in rows
    ]
    return Table(
        caption="Gap figures as they stood on the day of the visit (stored with the report)",
        headers=[
            "Measure",
            "Year",
            "Group",
            "Pupils",
            "Result",
            "Others nationally",
            "Gap",
            "Year before",
            "England's gap",
            "Flagged",
        ],
        rows=body,
        note="Gap: the group here against the comparison group nationally (positive: behind). " + suppression_note(),
    )


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else "–"


def build_visit_report(report, *, user) -> Document:
    """``report`` comes from ``get_visible_visit`` (scoped to the user); the content is the page's
    (``strategy.visits.visit_content``), as everyone may see it."""
    content = visit_content(report, show_small=False)
    document = Document(
        title=f"Visit report: {report.school.name}, {report.visit_date:%-d %b %Y}",
        subtitle=f"{report.get_visit_type_display()} · adviser {_who(report.adviser)} · URN {report.school.urn}",
        footer=f"Visit report, {report.school.name}, {report.visit_date:%-d %b %Y}",
    )
    document.add(Heading("Purpose"), Paragraph(report.purpose))
    document.add(Heading("The school's figures"))
    if not report.gap_snapshot:
        document.add(Paragraph("No gap figures were stored with this report."))
    elif content.legacy:
        document.add(snapshot_table(report.gap_snapshot))
    else:
        document.add(Paragraph(f"Results year of each measure: {content.years_text}."), figures_table(content.figures))
    document.add(Heading("Actions agreed at the last visit"))
    if content.reviewed:
        last = content.last_visit
        document.add(
            Table(
                caption=f"Actions agreed at the {last.get_visit_type_display().lower()} on "
                f"{last.visit_date:%-d %b %Y}, as they stood on this visit's day",
                headers=["Action", "Lead and due", "RAG"],
                rows=[[a.key_action, f"{a.lead}; {a.when}", label] for a, _rag, label in content.reviewed],
            )
        )
    else:
        document.add(
            Paragraph(
                "No actions were agreed at the last visit."
                if content.last_visit
                else "This was the first visit report for the school."
            )
        )
    document.add(Heading("Focus areas"))
    document.add(
        Table(
            caption="Focus areas of this visit, with the adviser's RAG judgement",
            headers=["Focus area", "Judgement", "Comment"],
            rows=[[j.focus_area, j.get_rag_display() or "Not yet judged", j.comment] for j in content.focus_areas],
        )
        if content.focus_areas
        else Paragraph("No focus areas recorded.")
    )
    document.add(Heading("Strengths"), Paragraph(report.strengths or "–"))
    document.add(Heading("Areas for development"), Paragraph(report.areas_for_development or "–"))
    document.add(Heading("Actions agreed at this visit"))
    document.add(
        Bullets(
            [
                f"{a.key_action} ({a.get_strand_display()}; lead {a.lead}; {a.when}) — {a.get_rag_display()}"
                for a in content.agreed
            ]
        )
        if content.agreed
        else Paragraph("No actions were agreed.")
    )
    if report.next_visit_date:
        document.add(Paragraph(f"Next visit: {report.next_visit_date:%-d %b %Y}."))
    document.add(Heading("Headteacher's acknowledgement"))
    if report.acknowledged_at:
        text = f"Acknowledged by {_who(report.acknowledged_by)} on {report.acknowledged_at:%-d %b %Y}."
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
                f"Checked on {qa.reviewed_on:%-d %b %Y}: {qa.features_met} of the 7 features of a "
                f"good report{' — all met' if qa.meets_all else ''}."
            )
        )
    else:
        document.add(Paragraph("Not yet quality-assured."))
    return document
