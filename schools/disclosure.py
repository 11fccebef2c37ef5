"""Disclosure control: the one gate every figure passes on its way to a person.

Pages, tables, charts' JSON, CSV/XLSX exports, ``gap_report``, target statuses, success stories, visit
snapshots and LA columns all call :func:`disclose` on the figures they are about to show. It applies

* **primary suppression** — a group of fewer than ``GAPMONITOR_SUPPRESSION_THRESHOLD`` pupils (default 6)
  is hidden (marker ``SUPP``);
* **complementary (secondary) suppression** — a figure is hidden as well (``SUPP2``) wherever a hidden one
  could be worked out by subtraction: within every partition of the pupils (disadvantaged + other = all,
  SEN support + EHC plan = any SEN, boys + girls, the ethnic groups, …), so that no partition is left with
  exactly one hidden figure, and the hidden part of a partition never adds up to fewer pupils than the
  threshold (counting pupils in no listed part, e.g. ethnicity not recorded);
* **across levels** — with ``known``, the figures a viewer can subtract (a head's own school under an LA
  figure), a figure is also hidden when what is left, e.g. the LA minus the school, is a small group.

The rules follow the Code of Practice for Statistics (T6.4) and the DfE's statistical disclosure control
guidance for school and pupil statistics: counts of 1 to 5 pupils are not published, and nor is any
figure from which they can be recovered.

The threshold and partitions are arguments; left out, they are the LA's settings (``gapmonitor.conf``).
Pooling never uses disclosed figures: pupils in hidden groups still count in every total above them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gapmonitor.conf import conf

from .gaps import SECONDARY, SUPPRESSED, Figure
from .reference_data import PUPIL_GROUPS

Partition = tuple[str, tuple[str, ...]]


def default_partitions() -> list[Partition]:
    """The partitions of pupils known from the reference data: every pair of groups that are each other's
    comparison group makes up all pupils; the ethnic groups together make up all pupils (with those whose
    ethnicity is not recorded); plus ``GAPMONITOR_GROUP_PARTITIONS`` (e.g. SEN support + EHC plan = any SEN)."""
    comparison = {code: other for code, _name, _category, other, _focus in PUPIL_GROUPS}
    return _partitions(comparison, {code: category for code, _n, category, _o, _f in PUPIL_GROUPS})


def _partitions(comparison: Mapping[str, str | None], category: Mapping[str, str]) -> list[Partition]:
    pairs = {
        tuple(sorted((code, other))) for code, other in comparison.items() if other and comparison.get(other) == code
    }
    out: list[Partition] = [("all", pair) for pair in sorted(pairs)]
    ethnic = tuple(code for code, kind in category.items() if kind == "ethnicity")
    if len(ethnic) > 1:
        out.append(("all", ethnic))
    return out + [(whole, tuple(parts)) for whole, parts in conf.group_partitions]


def partitions_of(groups: Mapping) -> list[Partition]:
    """Partitions of the pupil groups in the database (``{code: PupilGroup}``): the reference ones and any
    pair of complementary groups an LA added in the admin."""
    comparison = {code: (g.comparison.code if g.comparison_id else None) for code, g in groups.items()}
    return _partitions(comparison, {code: g.category for code, g in groups.items()})


def needed_groups(codes: Iterable[str], partitions: Iterable[Partition] | None = None) -> set[str]:
    """The groups whose figures :func:`disclose` needs to decide about ``codes``: every group linked to them
    through a partition. Fetch these too, or a hidden figure elsewhere could be worked out from one shown here."""
    partitions = default_partitions() if partitions is None else list(partitions)
    wanted, frontier = set(codes), set(codes)
    while frontier:
        found = set()
        for whole, parts in partitions:
            members = {whole, *parts}
            if members & frontier:
                found |= members - wanted
        wanted |= found
        frontier = found
    return wanted


def disclosure_groups_for(codes, groups: Mapping, *, viewer_sees_small_cohorts: bool) -> list[str]:
    """The groups to fetch so that :func:`disclose` can decide about ``codes`` (``groups``: ``{code: PupilGroup}``):
    for a viewer who must not see small cohorts, every group linked to them through a partition (the same query,
    more rows)."""
    if viewer_sees_small_cohorts:
        return list(codes)
    return sorted(needed_groups(codes, partitions_of(groups)) & set(groups) | set(codes))


@dataclass(frozen=True)
class Seen:
    """What a viewer can subtract from one pooled figure (same key): ``shown`` pupils in the member figures
    they see (all of a head's own school), ``hidden`` member figures they may see but are hidden from them,
    and ``members`` pupils in all the members they may see (so pooled − members are pupils they never see)."""

    shown: int
    hidden: int = 0
    members: int | None = None


def _seen(known: Figure | Seen | None) -> Seen | None:
    if known is None or isinstance(known, Seen):
        return known
    return None if known.cohort is None else Seen(shown=known.cohort, members=known.cohort)


def seen_through_members(
    members: Mapping[tuple, Figure], shown: Mapping[tuple, Figure], org_of: Mapping, *, own=None
) -> dict[tuple, Seen]:
    """What a viewer sees of pooled figures through the figures of their members (schools), as ``known``
    for :func:`disclose`. ``members``: true figures keyed ``(member_id, *key)``; ``shown``: the same as the
    viewer sees them; ``org_of``: member_id → the pooled figure's key prefix (``()`` for one organisation,
    ``(org_id,)`` for many); ``own``: a member the viewer knows in full (a head's school)."""
    totals: dict[tuple, list[int]] = {}
    for (member, *key), figure in members.items():
        if member not in org_of:
            continue
        seen = figure if member == own else shown[(member, *key)]
        total = totals.setdefault(tuple(org_of[member]) + tuple(key), [0, 0, 0])
        total[2] += figure.cohort or 0
        if seen.suppressed:
            total[1] += 1
        elif seen.cohort is not None:
            total[0] += seen.cohort
    return {key: Seen(shown=shown_, hidden=hidden, members=pupils) for key, (shown_, hidden, pupils) in totals.items()}


def _hidden(figure: Figure, code: str) -> Figure:
    return Figure(cohort=None, numerator=None, value=None, code=code, status=figure.status, schools=figure.schools)


def disclose(
    figures: Mapping[tuple, Figure],
    *,
    viewer_sees_small_cohorts: bool,
    partitions: Iterable[Partition] | None = None,
    threshold: int | None = None,
    known: Mapping[tuple, Figure | Seen] | None = None,
) -> dict[tuple, Figure]:
    """The figures as a viewer may see them.

    ``figures``: true (unsuppressed) figures keyed ``(*prefix, group_code)``, e.g. ``(year, measure, group)``
    or ``(org_id, year, measure, group)``. For each prefix include every group :func:`needed_groups` names.
    ``viewer_sees_small_cohorts``: required, no default — True only for roles allowed to see small groups
    (``schools.access.sees_small_cohorts``); the figures then come back unchanged.
    ``partitions``: (whole, parts) pupil partitions; default :func:`default_partitions`.
    ``threshold``: smallest group shown; default the ``GAPMONITOR_SUPPRESSION_THRESHOLD`` setting.
    ``known``: what the viewer can subtract from these figures (same keys): a :class:`Seen`, or a Figure
    they know in full (a head's own school under LA figures). A figure is hidden when it minus what is seen
    leaves 1 to threshold − 1 pupils, or when exactly one member figure is hidden from the viewer and every
    other pupil is in a figure they see (the hidden one would follow by subtraction).

    Returns a new dict with the same keys: hidden figures carry no counts, no value and the marker
    ``SUPP`` (small group) or ``SUPP2`` (hidden so that a small group cannot be worked out).
    """
    if viewer_sees_small_cohorts:
        return dict(figures)
    threshold = conf.suppression_threshold if threshold is None else threshold
    partitions = default_partitions() if partitions is None else list(partitions)
    seen_of = {key: _seen(value) for key, value in (known or {}).items()}

    def gives_away(key, figure):
        seen = seen_of.get(key)
        if figure.cohort is None or seen is None:
            return False
        left = figure.cohort - seen.shown
        unseen = figure.cohort - seen.members if seen.members is not None else 0
        return 0 < left < threshold or (seen.hidden == 1 and unseen <= 0)

    out: dict[tuple, Figure] = {}
    for key, figure in figures.items():
        if figure.cohort is not None and 0 < figure.cohort < threshold:
            out[key] = _hidden(figure, SUPPRESSED)
        elif gives_away(key, figure):
            out[key] = _hidden(figure, SECONDARY)
        else:
            out[key] = figure
    if not partitions:
        return out

    by_prefix: dict[tuple, set[str]] = {}
    for key in figures:
        by_prefix.setdefault(key[:-1], set()).add(key[-1])
    # A partition reads and hides figures of its own prefix only, so each prefix is taken to its fixed point on
    # its own: the same steps on its figures as passes over every prefix until none changes, without re-checking
    # every other prefix whenever one changed.
    for prefix, present in by_prefix.items():
        changed = True
        while changed:
            changed = False
            for whole, parts in partitions:
                if _complement(prefix, whole, parts, present, figures, out, seen_of, threshold):
                    changed = True
    return out


def _complement(prefix, whole, parts, present, figures, out, known, threshold) -> bool:
    """Hide one more figure in this partition if a hidden one could be worked out; True when one was."""
    listed = [p for p in parts if p in present]
    if not listed:
        return False
    whole_key = prefix + (whole,)
    whole_present = whole in present
    hidden_parts = [p for p in listed if out[prefix + (p,)].suppressed]
    shown_parts = [p for p in listed if not out[prefix + (p,)].suppressed]
    whole_hidden = whole_present and out[whole_key].suppressed
    if not whole_present:
        # No whole published: the parts alone reveal nothing more than themselves.
        return False

    def true_cohort(key):
        figure = figures.get(key)
        return None if figure is None else figure.cohort

    def rest_cohort(key):
        figure, seen = figures.get(key), known.get(key)
        if figure is None or figure.cohort is None:
            return None
        return figure.cohort - (seen.shown if seen is not None else 0)

    def cohorts(cohort_of):
        """Pupils in the hidden parts plus those in no listed part (whole − Σ listed parts)."""
        total, values = cohort_of(whole_key), [cohort_of(prefix + (p,)) for p in listed]
        if total is None or any(v is None for v in values):
            return None, None
        remainder = max(total - sum(values), 0)
        return sum(cohort_of(prefix + (p,)) for p in hidden_parts) + remainder, remainder

    hidden_total, remainder = cohorts(true_cohort)
    opaque = len(hidden_parts) + (1 if remainder else 0) + (1 if whole_hidden else 0)
    need = False
    if opaque == 1:
        # One unknown in "whole = Σ parts": it can be worked out. A remainder of pupils in no listed group
        # is only a problem when small (it is no group anyone can see).
        need = not (remainder and not hidden_parts and not whole_hidden and remainder >= threshold)
    if not whole_hidden and hidden_total is not None and 0 < hidden_total < threshold:
        need = True
    if known and not whole_hidden:
        rest_total, _ = cohorts(rest_cohort)
        if rest_total is not None and 0 < rest_total < threshold:
            need = True
    if not need:
        return False
    candidates = [p for p in shown_parts if figures[prefix + (p,)].value is not None or figures[prefix + (p,)].cohort]
    if not candidates:
        if whole_hidden or figures[whole_key].cohort == 0:
            return False
        out[whole_key] = _hidden(figures[whole_key], SECONDARY)
        return True
    victim = min(
        candidates, key=lambda p: ((figures[prefix + (p,)].cohort or 0) == 0, figures[prefix + (p,)].cohort or 0, p)
    )
    out[prefix + (victim,)] = _hidden(figures[prefix + (victim,)], SECONDARY)
    return True
