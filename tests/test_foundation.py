"""Foundation: reference data, demo data, role scoping, safe settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from schools import demo as demo_module
from schools.access import visible_schools
from schools.demo.simulation import PRIMARY_MEASURES, SECONDARY_MEASURES
from schools.models import AcademicYear, Benchmark, Measure, OfstedInspection, PupilGroup, Result, School
from schools.models.results import FIGURE_FIELDS
from schools.roles import Role

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
class TestReferenceData:
    def test_measures_and_groups_from_the_reference_data(self):
        codes = set(Measure.objects.values_list("code", flat=True))
        # Every measure the demo simulates (today's headline measures), then the older ones files still carry.
        simulated = set(PRIMARY_MEASURES) | set(SECONDARY_MEASURES)
        assert len(simulated) == 13 and simulated <= codes
        for code in [
            "ks2_l4_em",
            "ks2_l4_rwm",
            "ks2_2lp_eng",
            "ks2_2lp_mat",
            "ks4_5acem",
            "ks4_3lp_eng",
            "ks4_3lp_mat",
        ]:
            assert code in codes
        groups = set(PupilGroup.objects.values_list("code", flat=True))
        for code in [
            "all",
            "disadvantaged",
            "not_disadvantaged",
            "fsm",
            "not_fsm",
            "fsm6",
            "sen_support",
            "ehcp",
            "sen_any",
            "no_sen",
            "cla",
            "eal",
            "not_eal",
            "boys",
            "girls",
            "grt",
            "white_british",
            "white_other",
            "mixed",
            "asian",
            "black",
            "chinese",
            "other_ethnic",
        ]:
            assert code in groups

    def test_comparison_groups_pair_up(self):
        pairs = dict(PupilGroup.objects.filter(comparison__isnull=False).values_list("code", "comparison__code"))
        assert pairs["disadvantaged"] == "not_disadvantaged"
        assert pairs["not_disadvantaged"] == "disadvantaged"
        assert pairs["fsm"] == "not_fsm"
        assert pairs["sen_support"] == "no_sen"
        assert pairs["eal"] == "not_eal"
        assert pairs["boys"] == "girls"

    def test_lower_is_better_and_validity_years(self):
        assert not Measure.objects.get(code="persistent_absence").higher_is_better
        assert not Measure.objects.get(code="suspension_rate").higher_is_better
        assert Measure.objects.get(code="ks2_rwm_exp").higher_is_better
        p8 = Measure.objects.get(code="ks4_p8")
        assert p8.valid_in(2024) and not p8.valid_in(2025)  # not calculated for 2024/25
        assert not Measure.objects.get(code="ks4_5acem").valid_in(2016)

    def test_years_labelled_and_pandemic_years_unpublished(self):
        assert AcademicYear.objects.get(results_year=2024).label == "2023/24"
        assert not AcademicYear.objects.get(results_year=2020).results_published
        assert not AcademicYear.objects.get(results_year=2021).results_published
        assert AcademicYear.objects.get(results_year=2019).results_published

    def test_role_groups_exist_without_users(self):
        assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
        from django.contrib.auth import get_user_model

        assert not get_user_model().objects.exists()  # demo users come only from the command


def test_published_years_skip_2020_and_2021():
    assert demo_module.published_years(6, 2025) == [2018, 2019, 2022, 2023, 2024, 2025]


@pytest.mark.django_db
class TestDemoData:
    def snapshot(self):
        return sorted(
            Result.objects.values_list(
                "school__urn", "results_year", "measure__code", "pupil_group__code", "cohort", "achievers", "points"
            )
        )

    def test_deterministic_and_idempotent(self):
        demo_module.generate(schools=8, years=3, seed=5)
        first = self.snapshot()
        counts = (
            School.objects.count(),
            Result.objects.count(),
            Benchmark.objects.count(),
            OfstedInspection.objects.count(),
        )
        demo_module.generate(schools=8, years=3, seed=5)
        assert self.snapshot() == first
        assert counts == (
            School.objects.count(),
            Result.objects.count(),
            Benchmark.objects.count(),
            OfstedInspection.objects.count(),
        )

    def test_first_build_writes_what_the_upsert_writes(self):
        """The first build inserts its results in bulk (no Result objects); generating again writes the same
        rows through ``bulk_create``'s upsert, which must change no column of any of them."""
        demo_module.generate(schools=8, years=3, seed=5)
        columns = ("id", "school_id", "results_year", "measure_id", "pupil_group_id", *FIGURE_FIELDS, "batch_id")
        first = sorted(Result.objects.values_list(*columns))
        assert any(row[columns.index("points")] is not None for row in first)
        demo_module.generate(schools=8, years=3, seed=5)
        assert sorted(Result.objects.values_list(*columns)) == first

    def test_another_seed_gives_other_figures(self):
        demo_module.generate(schools=8, years=3, seed=5)
        first = self.snapshot()
        demo_module.generate(schools=8, years=3, seed=6)
        assert self.snapshot() != first

    def test_partitions_add_up_and_years_missing(self, demo):
        years = set(Result.objects.values_list("results_year", flat=True))
        assert years == {2019, 2022, 2023, 2024, 2025}
        for school in demo.schools[:4]:
            rows = Result.objects.filter(school=school, results_year=2024, measure__code="persistent_absence")
            figure = {r.pupil_group.code: r for r in rows.select_related("pupil_group")}
            assert figure["all"].cohort == figure["disadvantaged"].cohort + figure["not_disadvantaged"].cohort
            assert figure["all"].cohort == figure["boys"].cohort + figure["girls"].cohort
            assert figure["all"].achievers == figure["disadvantaged"].achievers + figure["not_disadvantaged"].achievers
            assert figure["all"].cohort == figure["sen_any"].cohort + figure["no_sen"].cohort

    def test_phases_get_their_measures(self, demo):
        secondary = next(s for s in demo.schools if s.phase == "secondary")
        primary = next(s for s in demo.schools if s.phase == "primary")
        assert Result.objects.filter(school=secondary, measure__code="ks4_att8").exists()
        assert not Result.objects.filter(school=secondary, measure__code="ks2_rwm_exp").exists()
        assert Result.objects.filter(school=primary, measure__code="ks2_rwm_exp").exists()
        assert not Result.objects.filter(school=primary, measure__code="ks4_att8").exists()

    def test_disadvantaged_behind_nationally(self, demo):
        national = {
            b.pupil_group.code: b.value
            for b in Benchmark.objects.filter(results_year=2024, measure__code="ks2_rwm_exp").select_related(
                "pupil_group"
            )
        }
        assert national["not_disadvantaged"] - national["disadvantaged"] > 10

    def test_some_tiny_cohorts(self, demo):
        assert Result.objects.filter(cohort__gte=1, cohort__lt=6).exists()

    def test_demo_users_and_scopes(self, demo):
        head = demo.users["head"]
        assert list(visible_schools(head)) == [head.profile.school]
        adviser_schools = set(visible_schools(demo.users["adviser"]))
        assert 0 < len(adviser_schools) < len(demo.schools)
        assert set(visible_schools(demo.users["officer"])) == set(demo.schools)
        assert demo.users["admin"].is_superuser
        assert demo.users["officer"].check_password(demo_module.DEMO_PASSWORD)


@pytest.mark.django_db
class TestScoping:
    def test_headteacher_gets_404_for_another_school(self, demo, role_client):
        head = demo.users["head"]
        other = next(s for s in demo.schools if s != head.profile.school)
        client = role_client("head")
        assert client.get(f"/schools/{head.profile.school.urn}/").status_code == 200
        assert client.get(f"/schools/{other.urn}/").status_code == 404

    def test_adviser_sees_only_assigned_schools(self, demo, role_client):
        assigned = set(demo.users["adviser"].profile.schools.all())
        outside = next(s for s in demo.schools if s not in assigned)
        client = role_client("adviser")
        assert client.get(f"/schools/{next(iter(assigned)).urn}/").status_code == 200
        assert client.get(f"/schools/{outside.urn}/").status_code == 404

    def test_officer_sees_every_school(self, demo, role_client):
        client = role_client("officer")
        for school in demo.schools[:3]:
            assert client.get(f"/schools/{school.urn}/").status_code == 200

    def test_anonymous_sent_to_sign_in(self, demo, client):
        response = client.get(f"/schools/{demo.schools[0].urn}/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    def test_user_without_role_sees_nothing(self, demo, django_user_model):
        nobody = django_user_model.objects.create_user("nobody", password="x-long-password")
        assert not visible_schools(nobody).exists()

    def test_home_sends_each_role_to_its_dashboard(self, demo, role_client):
        head_urn = demo.users["head"].profile.school.urn
        assert role_client("head").get("/")["Location"] == f"/schools/{head_urn}/"
        assert role_client("officer").get("/")["Location"] == "/overview/"
        assert role_client("adviser").get("/")["Location"] == "/schools/"


def _run_manage(args, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "GAPMONITOR_LOCAL", "SECRET_KEY", "HTTPS"}}
    env.update(env_extra)
    env["DJANGO_SETTINGS_MODULE"] = "gapmonitor.settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


class TestSettings:
    PRODUCTION = {
        "SECRET_KEY": "x7Jk2vQp9-Lm4Nz8Rt1Wb6Yc3Hd5Fg0Sa2Ke7Uj9Xo4Pi8Mn6Bv1Cr3Tq5Ew0Zy",
        "ALLOWED_HOSTS": "gapmonitor.example.org",
        "HTTPS": "1",
        "DEBUG": "0",
    }

    def test_check_deploy_clean_with_production_variables(self):
        result = _run_manage(["check", "--deploy", "--fail-level", "WARNING"], self.PRODUCTION)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_secret_key_required_in_production(self):
        env = dict(self.PRODUCTION)
        del env["SECRET_KEY"]
        result = _run_manage(["check"], env)
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_debug_off_by_default(self):
        """DEBUG is off when the environment does not set it, whatever the shell running the tests has."""
        show = ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)"]
        env = {k: v for k, v in self.PRODUCTION.items() if k != "DEBUG"}
        unset = _run_manage(show, env)
        assert unset.stdout.strip() == "False", unset.stdout + unset.stderr
        assert _run_manage(show, {**env, "DEBUG": "1"}).stdout.strip() == "True"  # the check tells them apart
