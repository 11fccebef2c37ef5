"""Accounts: the sign-in lock-out policy, password reset by email, the client's address behind a proxy,
no-store on signed-in responses, and who may be named as an action's lead."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from gapmonitor.client_ip import client_ip
from schools.access import assignable_users
from schools.roles import Role
from strategy.forms import ActionForm
from strategy.models import Action, Plan

from .strategy_support import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "correct-horse-battery"


class Clock:
    """django-axes stamps each attempt with ``now()`` (axes.handlers.proxy); this moves that time forward."""

    def __init__(self):
        self.now = timezone.now()

    def advance(self, minutes):
        self.now += timedelta(minutes=minutes)

    def __enter__(self):
        self._patch = mock.patch("axes.handlers.proxy.now", lambda: self.now)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


# --------------------------------------------------------------------------- lock-out
class TestLockOut:
    def test_attempts_during_the_pause_do_not_extend_it(self, django_user_model):
        django_user_model.objects.create_user("victim", password=PASSWORD)
        stranger = Client(REMOTE_ADDR="203.0.113.9")
        with Clock() as clock:
            statuses = []
            for _ in range(5):  # minutes 0–4: the fifth failure pauses sign-in for 30 minutes
                statuses.append(sign_in(stranger, "victim", "guess").status_code)
                clock.advance(1)
            assert statuses == [200, 200, 200, 200, 429]
            clock.advance(20)  # minute 25: still paused, and this failure must not restart the 30 minutes
            assert sign_in(stranger, "victim", "guess").status_code == 429
            clock.advance(4)  # minute 29: paused even for the right password
            assert sign_in(stranger, "victim", PASSWORD).status_code == 429
            assert not signed_in(stranger)
            clock.advance(6)  # minute 35, over 30 minutes after the fifth failure (minute 4): the pause is over
            assert sign_in(stranger, "victim", PASSWORD).status_code == 302
            assert signed_in(stranger)

    def test_a_failure_every_half_hour_never_locks_for_good(self, django_user_model):
        django_user_model.objects.create_user("victim", password=PASSWORD)
        stranger = Client(REMOTE_ADDR="203.0.113.9")
        with Clock() as clock:
            for _ in range(5):
                sign_in(stranger, "victim", "guess")
            # Then one failure every 29 minutes for three hours: the pause still ends 30 minutes after the fifth.
            for _ in range(6):
                clock.advance(29)
                sign_in(stranger, "victim", "guess")
            assert sign_in(stranger, "victim", PASSWORD).status_code == 302

    def test_a_stranger_elsewhere_does_not_lock_the_owner_out(self, django_user_model):
        django_user_model.objects.create_user("victim", password=PASSWORD)
        stranger, owner = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
        for _ in range(6):
            sign_in(stranger, "victim", "guess")
        assert sign_in(stranger, "victim", PASSWORD).status_code == 429
        assert sign_in(owner, "victim", PASSWORD).status_code == 302

    def test_the_locked_out_page_offers_a_reset(self, django_user_model):
        django_user_model.objects.create_user("victim", password=PASSWORD)
        client = Client()
        for _ in range(5):
            sign_in(client, "victim", "guess")
        response = sign_in(client, "victim", PASSWORD)
        assert response.status_code == 429
        assert b'href="/accounts/password-reset/"' in response.content


# --------------------------------------------------------------------------- client address
class TestClientAddress:
    def request(self, remote, forwarded=None):
        headers = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **headers)

    @override_settings(GAPMONITOR_TRUSTED_PROXIES=0)
    def test_without_trusted_proxies_the_header_is_ignored(self):
        assert client_ip(self.request("10.0.0.1", "203.0.113.9")) == "10.0.0.1"

    @override_settings(GAPMONITOR_TRUSTED_PROXIES=1)
    def test_one_proxy_the_address_it_saw(self):
        assert client_ip(self.request("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
        # A client can write anything on the left; only the proxy's own entry (rightmost) is read.
        assert client_ip(self.request("10.0.0.1", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
        assert client_ip(self.request("10.0.0.1", "203.0.113.9 , ")) == "203.0.113.9"

    @override_settings(GAPMONITOR_TRUSTED_PROXIES=2)
    def test_two_proxies_the_address_the_outer_one_saw(self):
        assert client_ip(self.request("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
        # Fewer entries than proxies, or not an address: the connection's own address.
        assert client_ip(self.request("10.0.0.2", "10.0.0.1")) == "10.0.0.2"
        assert client_ip(self.request("10.0.0.2", "not-an-ip, 10.0.0.1")) == "10.0.0.2"

    @override_settings(GAPMONITOR_TRUSTED_PROXIES=1)
    def test_behind_a_proxy_users_do_not_share_a_lock_out(self, django_user_model):
        django_user_model.objects.create_user("victim", password=PASSWORD)
        stranger = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
        owner = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        for _ in range(5):
            sign_in(stranger, "victim", "guess")
        assert sign_in(stranger, "victim", PASSWORD).status_code == 429
        assert sign_in(owner, "victim", PASSWORD).status_code == 302

    @override_settings(GAPMONITOR_TRUSTED_PROXIES=0)
    def test_a_forged_header_does_not_escape_the_lock_out(self, django_user_model):
        django_user_model.objects.create_user("victim", password=PASSWORD)
        for n in range(5):
            sign_in(Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), "victim", "guess")
        forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.99")
        assert sign_in(forged, "victim", PASSWORD).status_code == 429


# --------------------------------------------------------------------------- password reset
class TestPasswordReset:
    def test_the_whole_flow_by_email(self, django_user_model):
        user = django_user_model.objects.create_user("olivia", email="olivia@example.org", password=PASSWORD)
        client = Client()
        assert b'href="/accounts/password-reset/"' in client.get(LOGIN).content
        form = client.get("/accounts/password-reset/")
        assert form.status_code == 200 and b'<label for="id_email">' in form.content

        response = client.post("/accounts/password-reset/", {"email": "olivia@example.org"})
        assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["olivia@example.org"] and message.subject == "Reset your gapmonitor password"
        assert "olivia" in message.body and "within one hour" in message.body
        link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body).group(1)

        # Django swaps the token for a session value and redirects to the form.
        response = client.get(link)
        assert response.status_code == 302
        set_password = response["Location"]
        page = client.get(set_password)
        assert b"Choose a new password" in page.content and b'for="id_new_password1"' in page.content
        new = "a-long-unusual-phrase-42"
        response = client.post(set_password, {"new_password1": new, "new_password2": new})
        assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/done/"
        assert b"Your password has been changed" in client.get(response["Location"]).content

        user.refresh_from_db()
        assert user.check_password(new) and not user.check_password(PASSWORD)
        # The link works once.
        assert b"This link no longer works" in Client().get(link, follow=True).content
        assert sign_in(Client(), "olivia", new).status_code == 302

    def test_an_unknown_address_gets_the_same_answer_and_no_email(self):
        response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
        assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
        assert mail.outbox == []

    def test_a_weak_new_password_is_refused(self, django_user_model):
        django_user_model.objects.create_user("olivia", email="olivia@example.org", password=PASSWORD)
        client = Client()
        client.post("/accounts/password-reset/", {"email": "olivia@example.org"})
        link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
        set_password = client.get(link)["Location"]
        response = client.post(set_password, {"new_password1": "password", "new_password2": "password"})
        assert response.status_code == 200 and b'role="alert"' in response.content
        assert b"This password is too common" in response.content

    def test_a_reset_lifts_the_sign_in_pause(self, django_user_model):
        django_user_model.objects.create_user("olivia", email="olivia@example.org", password=PASSWORD)
        client = Client()
        for _ in range(5):
            sign_in(client, "olivia", "guess")
        assert sign_in(client, "olivia", PASSWORD).status_code == 429
        client.post("/accounts/password-reset/", {"email": "olivia@example.org"})
        link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
        set_password = client.get(link)["Location"]
        new = "a-long-unusual-phrase-42"
        client.post(set_password, {"new_password1": new, "new_password2": new})
        assert sign_in(client, "olivia", new).status_code == 302

    def test_email_backend_prints_locally(self, settings):
        # The tests swap in the in-memory backend; the settings module itself chose the console for local runs.
        from gapmonitor import settings as site_settings

        assert site_settings.LOCAL
        assert site_settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
        assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60


# --------------------------------------------------------------------------- no-store
class TestNoStore:
    def test_pages_and_exports_for_signed_in_users(self, role_client):
        client = role_client("officer")
        for url in ("/overview/", "/overview/export/clusters.csv", "/overview/export/clusters.xlsx"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url

    def test_public_pages_are_not_marked(self, client):
        response = client.get("/accounts/password-reset/sent/")
        assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


# --------------------------------------------------------------------------- who may lead
@pytest.fixture
def people(demo):
    """The demo LA's users, plus an adviser elsewhere, an inactive officer and another LA's officer."""
    from schools.models import LocalAuthority, School

    la = LocalAuthority.objects.get(pk=demo.users["officer"].profile.la_id)
    head_school = demo.users["head"].profile.school
    other_school = School.objects.filter(la=la).exclude(pk=head_school.pk)
    if head_school.cluster_id:
        other_school = other_school.exclude(cluster_id=head_school.cluster_id)
    if head_school.area_id:
        other_school = other_school.exclude(area_id=head_school.area_id)
    users = dict(demo.users)
    users["own_adviser"] = make_user("ownsip", Role.ADVISER, la, schools=[head_school])
    users["far_adviser"] = make_user("farsip", Role.ADVISER, la, schools=[other_school.first()])
    users["deputy"] = make_user("deputy", Role.HEADTEACHER, la, school=head_school)
    users["inactive"] = make_user("gone", Role.LA_OFFICER, la)
    users["inactive"].is_active = False
    users["inactive"].save()
    other_la = LocalAuthority.objects.create(code="998", name="Elsewhere")
    users["outsider"] = make_user("outsider", Role.LA_OFFICER, other_la)
    users["superuser"] = make_user("root", Role.LA_OFFICER, la)
    users["superuser"].is_superuser = True
    users["superuser"].save()
    return la, head_school, users


def names(queryset):
    return {u.username for u in queryset}


class TestLeadPicker:
    def test_a_head_names_their_staff_their_advisers_and_la_officers(self, people):
        la, _school, users = people
        assert names(assignable_users(users["head"], la)) == {"head", "deputy", "ownsip", "officer"}

    def test_an_officer_names_anyone_in_the_la_but_administrators(self, people):
        la, _school, users = people
        assert names(assignable_users(users["officer"], la)) == {
            "officer",
            "adviser",
            "head",
            "data",
            "ownsip",
            "farsip",
            "deputy",
        }

    def test_nobody_is_named_in_an_la_they_cannot_see(self, people):
        _la, _school, users = people
        from schools.models import LocalAuthority

        elsewhere = LocalAuthority.objects.get(code="998")
        assert names(assignable_users(users["head"], elsewhere)) == set()
        assert names(assignable_users(users["officer"], elsewhere)) == set()

    def test_the_head_action_form_lists_and_accepts_only_them(self, people, role_client):
        la, school, users = people
        plan = Plan.objects.create(
            la=la, level="school", school=school, title="Our gap plan", start_year=2025, end_year=2026, status="active"
        )
        form = ActionForm(user=users["head"], plan=plan)
        assert names(form.fields["lead_user"].queryset) == {"head", "deputy", "ownsip", "officer"}
        page = role_client("head").get(f"/strategy/plans/{plan.pk}/actions/new/")
        assert page.status_code == 200
        assert b"Ada Admin" not in page.content and b"Olivia Officer (officer)" in page.content
        posted = ActionForm(
            {"strand": "narrow", "key_action": "Reading", "lead_user": users["admin"].pk}, user=users["head"], plan=plan
        )
        assert not posted.is_valid() and "lead_user" in posted.errors

    def test_editing_keeps_a_lead_recorded_before(self, people):
        la, school, users = people
        plan = Plan.objects.create(
            la=la, level="school", school=school, title="Our gap plan", start_year=2025, end_year=2026, status="active"
        )
        action = Action.objects.create(plan=plan, strand="narrow", key_action="Reading", lead_user=users["admin"])
        form = ActionForm(instance=action, user=users["head"], plan=plan)
        assert "admin" in names(form.fields["lead_user"].queryset)
        assert "admin" not in names(ActionForm(user=users["head"], plan=plan).fields["lead_user"].queryset)

    def test_the_self_evaluation_reviewer_picker_uses_the_same_rule(self, people):
        from ragboard.forms import RoundForm
        from ragboard.models import Round

        la, _school, users = people
        form = RoundForm(rounds=Round.objects.none(), la=la, user=users["officer"])
        # LA officers only: not the inactive one, not another LA's, not administrators (who review every round).
        assert names(form.fields["reviewer"].queryset) == {"officer"}
