"""Simulating pupils: outcomes drawn pupil by pupil from a logit (or normal) model of each measure, counted
by group, and the national pool fitted to England's published figures."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from django.conf import settings

from ..reference_data import UNPUBLISHED_YEARS

PRIMARY_MEASURES = [
    "eyfs_gld",
    "phonics_y1",
    "ks2_rwm_exp",
    "ks2_rwm_high",
    "ks2_read_avg",
    "ks2_mat_avg",
    "persistent_absence",
    "suspension_rate",
]
SECONDARY_MEASURES = [
    "ks4_att8",
    "ks4_p8",
    "ks4_em_95",
    "ks4_em_94",
    "ks4_ebacc_aps",
    "persistent_absence",
    "suspension_rate",
]

# How each measure is simulated. Percent measures: base rate for other pupils and
# logit effects. Average measures: mean and spread for other pupils, effects in points.
# Rates: events per pupil.
MODEL = {
    "eyfs_gld": dict(kind="percent", base=0.80, dis=-0.85, sen=-1.9, eal=-0.25, boy=-0.55, cohort="year"),
    "phonics_y1": dict(kind="percent", base=0.90, dis=-0.80, sen=-1.8, eal=-0.10, boy=-0.35, cohort="year"),
    "ks2_rwm_exp": dict(kind="percent", base=0.78, dis=-0.95, sen=-2.0, eal=-0.05, boy=-0.30, cohort="year"),
    "ks2_rwm_high": dict(kind="percent", base=0.10, dis=-1.00, sen=-2.0, eal=0.0, boy=-0.25, cohort="year"),
    "ks2_read_avg": dict(kind="average", base=106.0, sd=6.0, dis=-3.5, sen=-7.0, eal=-1.0, boy=-1.0, cohort="year"),
    "ks2_mat_avg": dict(kind="average", base=105.5, sd=6.5, dis=-3.8, sen=-6.5, eal=0.5, boy=0.5, cohort="year"),
    "ks4_att8": dict(kind="average", base=53.0, sd=15.0, dis=-13.0, sen=-14.0, eal=1.0, boy=-4.0, cohort="year"),
    "ks4_p8": dict(kind="average", base=0.15, sd=1.1, dis=-0.60, sen=-0.55, eal=0.4, boy=-0.20, cohort="year"),
    "ks4_em_95": dict(kind="percent", base=0.52, dis=-1.15, sen=-1.7, eal=0.05, boy=-0.10, cohort="year"),
    "ks4_em_94": dict(kind="percent", base=0.72, dis=-1.20, sen=-1.6, eal=0.05, boy=-0.10, cohort="year"),
    "ks4_ebacc_aps": dict(kind="average", base=4.40, sd=1.8, dis=-1.20, sen=-1.3, eal=0.2, boy=-0.35, cohort="year"),
    "persistent_absence": dict(kind="percent", base=0.13, dis=0.95, sen=0.75, eal=-0.30, boy=0.0, cohort="roll"),
    "suspension_rate": dict(kind="rate", base=0.025, dis=1.30, sen=1.10, eal=-0.50, boy=0.55, cohort="roll"),
}
NATIONAL_PUPILS = 60_000


def published_years(count: int, last: int = 2025) -> list[int]:
    """The last ``count`` results years up to ``last`` that had published results (2020 and 2021 had none)."""
    years, year = [], last
    while len(years) < count:
        if year not in UNPUBLISHED_YEARS:
            years.append(year)
        year -= 1
    return sorted(years)


def measure_higher_is_better(model: dict) -> bool:
    """Lower-is-better measures are those where disadvantage raises the figure."""
    return model.get("higher_is_better", model["dis"] < 0)


def _logit(p):
    return np.log(p / (1 - p))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Simulator:
    """Simulates pupils for many schools at once and counts them by group."""

    def __init__(self, rng: np.random.Generator, group_codes: list[str]):
        self.rng = rng
        self.group_codes = group_codes

    def pupils(self, sizes: np.ndarray, dis_share: np.ndarray, eal_share: np.ndarray) -> dict[str, np.ndarray]:
        rng = self.rng
        school = np.repeat(np.arange(len(sizes)), sizes)
        n = len(school)
        dis = rng.random(n) < dis_share[school]
        fsm = dis & (rng.random(n) < 0.72)
        cla = dis & (rng.random(n) < 0.025)
        sen_roll = rng.random(n)
        ehcp = sen_roll < 0.035
        sen_support = (~ehcp) & (sen_roll < 0.035 + 0.13 + 0.05 * dis)
        eal = rng.random(n) < eal_share[school]
        boy = rng.random(n) < 0.51
        return dict(school=school, dis=dis, fsm=fsm, cla=cla, ehcp=ehcp, sen_support=sen_support, eal=eal, boy=boy)

    def masks(self, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        sen_any = p["ehcp"] | p["sen_support"]
        every = np.ones(len(p["school"]), dtype=bool)
        masks = {
            "all": every,
            "disadvantaged": p["dis"],
            "not_disadvantaged": ~p["dis"],
            "fsm": p["fsm"],
            "not_fsm": ~p["fsm"],
            "sen_support": p["sen_support"],
            "ehcp": p["ehcp"],
            "sen_any": sen_any,
            "no_sen": ~sen_any,
            "cla": p["cla"],
            "not_cla": ~p["cla"],
            "eal": p["eal"],
            "not_eal": ~p["eal"],
            "boys": p["boy"],
            "girls": ~p["boy"],
        }
        return {code: masks[code] for code in self.group_codes}

    def linear(self, model: dict, p: dict[str, np.ndarray], school_effect: np.ndarray, gap_shift: np.ndarray):
        """Per-pupil linear predictor: the logit (percent), the expected score (average) or the log rate."""
        school = p["school"]
        sen = p["ehcp"] * 1.4 + p["sen_support"] * 1.0
        dis_effect = model["dis"] * (1 + gap_shift[school]) * p["dis"]
        rest = model["sen"] * sen + model["eal"] * p["eal"] + model["boy"] * p["boy"]
        if model["kind"] == "percent":
            # A better school lowers absence: the school effect works against lower-is-better rates.
            sign = 1 if measure_higher_is_better(model) else -1
            return _logit(model["base"]) + sign * school_effect[school] + dis_effect + rest
        if model["kind"] == "average":
            return model["base"] + school_effect[school] * model["sd"] * 0.6 + dis_effect + rest
        return np.log(model["base"]) - school_effect[school] + dis_effect + rest

    def outcomes(self, model: dict, p: dict[str, np.ndarray], school_effect: np.ndarray, gap_shift: np.ndarray):
        """Per-pupil outcome: achieved (0/1), a score, or an event count."""
        rng, n = self.rng, len(p["school"])
        linear = self.linear(model, p, school_effect, gap_shift)
        if model["kind"] == "percent":
            return (rng.random(n) < _sigmoid(linear)).astype(np.int64)
        if model["kind"] == "average":
            return linear + rng.normal(0, model["sd"] * 0.8, n)
        return rng.poisson(np.exp(linear))

    def count(self, masks, outcome, school_count):
        """cohort and total (achievers, points or events) per school for each group."""
        school = masks["_school"]
        out = {}
        for code in self.group_codes:
            mask = masks[code]
            cohort = np.bincount(school[mask], minlength=school_count)
            total = np.bincount(school[mask], weights=outcome[mask], minlength=school_count)
            out[code] = (cohort, total)
        return out


def published_figure(kind: str, cohort: int, total: float) -> dict:
    """Counts and published value for one group, as the DfE would publish them."""
    if cohort == 0:
        return dict(cohort=0, achievers=None, points=None, value=None, value_code="NE")
    if kind == "percent":
        return dict(cohort=cohort, achievers=int(total), points=None, value=round(100 * total / cohort), value_code="")
    if kind == "average":
        points = round(float(total), 2)
        return dict(cohort=cohort, achievers=None, points=points, value=round(points / cohort, 2), value_code="")
    return dict(cohort=cohort, achievers=None, points=None, value=round(100 * total / cohort, 2), value_code="")


ENGLAND_FIGURES = Path(settings.BASE_DIR) / "fixtures" / "england_gap_measures.csv"
# Published pairs the national pool is fitted to, first found first used: (focus group, comparison group).
ANCHOR_PAIRS = (("disadvantaged", "not_disadvantaged"), ("fsm", "not_fsm"))


def england_figures(path: Path = ENGLAND_FIGURES) -> dict[tuple[int, str, str], float]:
    """England's published values, (results_year, measure, group) → value: the England rows of the DfE's Local
    Authority Interactive Tool gap measures, kept in the repository (see the README's "Demo data")."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            (int(row["results_year"]), row["measure"], row["pupil_group"]): float(row["value"])
            for row in csv.DictReader(handle)
        }


def fitted_model(sim, model, pupils, masks, school_effect, targets: dict[str, float]) -> dict:
    """The model with its level and disadvantage effect moved so that the pool's expected figures for a
    published pair of groups (or all pupils) equal England's published values."""
    pair = next(((f, c) for f, c in ANCHOR_PAIRS if f in targets and c in targets), None)
    if pair is None and "all" not in targets:
        return model
    zero = np.zeros(len(school_effect))
    model = dict(model, higher_is_better=measure_higher_is_better(model))
    base = sim.linear(dict(model, dis=0.0), pupils, school_effect, zero)
    dis = model["dis"] * pupils["dis"]
    percent = model["kind"] == "percent"
    scale = 100.0 if percent else 1.0

    def solve(mask, target, shift, factor, move_shift):
        for _ in range(20):
            linear = base[mask] + shift + factor * dis[mask]
            value = _sigmoid(linear) if percent else linear
            slope = value * (1 - value) if percent else np.ones_like(value)
            error = value.mean() - target / scale
            step = (slope if move_shift else slope * dis[mask]).mean()
            if abs(error) < 1e-7 or step == 0:
                break
            if move_shift:
                shift -= error / step
            else:
                factor -= error / step
        return shift, factor

    shift, factor = 0.0, 1.0
    if pair is None:
        shift, factor = solve(masks["all"], targets["all"], shift, factor, True)
    else:
        for _ in range(3):  # the comparison group may hold some pupils with the focus group's effect (FSM)
            shift, factor = solve(masks[pair[1]], targets[pair[1]], shift, factor, True)
            shift, factor = solve(masks[pair[0]], targets[pair[0]], shift, factor, False)
    fitted = dict(model, dis=model["dis"] * max(factor, 0.0))
    fitted["base"] = float(_sigmoid(_logit(model["base"]) + shift)) if percent else model["base"] + shift
    return fitted
