"""Trust: headers, sign-in lock-out, sessions, error pages, audit trail."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from gapmonitor.audit import history_of, site_log
from schools.models import Result, School
from schools.roles import Role

pytestmark = pytest.mark.django_db


class TestHeaders:
    def test_security_headers_on_every_page(self, client):
        response = client.get("/accounts/login/")
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"

    def test_no_hsts_without_https(self, client):
        assert "Strict-Transport-Security" not in client.get("/accounts/login/")

    @override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=True, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
    def test_hsts_and_redirect_with_https(self, client):
        assert client.get("/accounts/login/")["Location"].startswith("https://")
        response = client.get("/accounts/login/", secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


class TestSignIn:
    def test_lock_out_after_five_failures(self, django_user_model):
        django_user_model.objects.create_user("officer1", password="correct-horse-battery")
        client = Client()
        for _ in range(5):
            response = client.post("/accounts/login/", {"username": "officer1", "password": "wrong"})
        # After the fifth failure even the right password is refused.
        response = client.post("/accounts/login/", {"username": "officer1", "password": "correct-horse-battery"})
        assert response.status_code == 429
        assert b"Too many failed sign-in attempts" in response.content
        assert "_auth_user_id" not in client.session

    def test_right_password_signs_in(self, django_user_model):
        django_user_model.objects.create_user("officer2", password="correct-horse-battery")
        client = Client()
        response = client.post("/accounts/login/", {"username": "officer2", "password": "correct-horse-battery"})
        assert response.status_code == 302
        assert client.session["_auth_user_id"]

    def test_sessions_expire(self, settings):
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
        assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60

    def test_password_validators_refuse_weak_passwords(self):
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            validate_password("password")
        with pytest.raises(ValidationError):
            validate_password("12345678901")
        validate_password("a-long-unusual-phrase-42")


class TestErrorPages:
    def test_friendly_404(self, client, django_user_model):
        user = django_user_model.objects.create_user("someone", password="a-long-unusual-phrase-42")
        client.force_login(user)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert b"Page not found" in response.content
        assert b"Traceback" not in response.content

    @override_settings(ROOT_URLCONF="tests.urls_boom", DEBUG=False)
    def test_friendly_500_without_stack_trace_or_personal_data(self):
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
        assert response.status_code == 500
        assert b"Something went wrong" in response.content
        assert b"Jane Doe" not in response.content and b"RuntimeError" not in response.content


class TestAudit:
    def test_user_changes_recorded_without_password(self, django_user_model):
        user = django_user_model.objects.create_user("audited", password="a-long-unusual-phrase-42")
        user.first_name = "Alex"
        user.save()
        entries = history_of(user)
        assert [e.action for e in entries] == ["changed", "created"]
        assert ("first_name", "", "Alex") in entries[0].changes
        assert not hasattr(user.history.first(), "password")

    def test_role_change_recorded(self, django_user_model):
        user = django_user_model.objects.create_user("promoted", password="a-long-unusual-phrase-42")
        user.groups.add(Group.objects.get(name=Role.LA_OFFICER))
        user.save()
        latest = user.history.first()
        assert [g.group.name for g in latest.groups.all()] == [Role.LA_OFFICER]

    def test_result_change_recorded_with_who(self, demo, role_client):
        from schools.models import Measure, PupilGroup

        result = Result.objects.create(
            school=demo.schools[0],
            results_year=2016,
            measure=Measure.objects.get(code="ks2_rwm_exp"),
            pupil_group=PupilGroup.objects.get(code="all"),
            cohort=30,
            achievers=18,
        )
        result.cohort = 31
        result._change_reason = "corrected cohort"
        result.save()
        entry = history_of(result)[0]
        assert entry.action == "changed"
        assert ("cohort", "30", "31") in entry.changes
        assert entry.reason == "corrected cohort"

    def test_site_log_for_administrators_only(self, demo, role_client):
        school = School.objects.get(pk=demo.schools[0].pk)
        school.name = "Renamed Primary School"
        school.save()
        assert any(e.object_repr.startswith("Renamed Primary School") for e in site_log())
        admin_page = role_client("admin").get("/audit/")
        assert admin_page.status_code == 200 and b"Renamed Primary School" in admin_page.content
        assert role_client("officer").get("/audit/").status_code == 404
        assert role_client("head").get("/audit/").status_code == 404
