"""Signing in with the keyboard; the sign-in page, home redirect and school list pass axe."""

import pytest

pytestmark = pytest.mark.browser


def test_anonymous_user_is_sent_to_sign_in(ui):
    ui.goto("/schools/")
    assert ui.path().startswith("/accounts/login/?next=/schools/")
    assert ui.page.get_by_role("heading", level=1).inner_text() == "Sign in"


def test_wrong_password_is_refused_with_a_message(ui, sign_in):
    sign_in("officer", "not-the-password")
    assert ui.path() == "/accounts/login/"
    assert "did not match" in ui.page.get_by_role("alert").inner_text()


def test_officer_signs_in_with_the_keyboard_and_reaches_the_school_list(ui, sign_in):
    sign_in("officer")
    # Home sends an LA officer to the LA overview.
    assert ui.path() == "/overview/"
    assert "Olivia Officer" in ui.page.locator(".account").inner_text()
    # The school list is reached from the main navigation by Tab and Enter.
    nav = ui.page.get_by_role("navigation", name="Main")
    ui.press_enter_on(nav.get_by_role("link", name="Schools", exact=True))
    assert ui.path() == "/schools/"
    # 12 demo schools, every one a link to its page.
    school_links = ui.page.locator("main a[href^='/schools/8']")
    assert school_links.count() == 12
    # Signing out works by keyboard too and returns to sign-in.
    ui.press_enter_on(ui.page.get_by_role("button", name="Sign out"))
    assert ui.path().startswith("/accounts/login/")


def test_skip_link_is_first_and_moves_focus_to_main(ui, sign_in):
    sign_in("head")
    page = ui.page
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    ui.goto(ui.path())  # a fresh load: focus starts at the top of the document
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    # It is visible when focused (it sits off-screen otherwise).
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_a_forgotten_password_is_reset_by_email_with_the_keyboard(ui):
    import re

    from django.contrib.auth import get_user_model
    from django.core import mail

    get_user_model().objects.filter(username="officer").update(email="olivia@example.org")
    ui.goto("/accounts/login/")
    ui.press_enter_on(ui.page.get_by_role("link", name="Forgotten your password?"))
    assert ui.page.get_by_role("heading", level=1).inner_text() == "Reset your password"
    ui.type_into(ui.page.get_by_label("Email"), "olivia@example.org")
    ui.press_enter_on(ui.page.get_by_role("button", name="Email me a link"))
    assert ui.page.get_by_role("heading", level=1).inner_text() == "Check your email"
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[-1].body).group(1)
    ui.goto(link)
    assert ui.page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    new = "a-long-unusual-phrase-42"
    ui.type_into(ui.page.locator("#id_new_password1"), new)
    ui.type_into(ui.page.locator("#id_new_password2"), new)
    ui.press_enter_on(ui.page.get_by_role("button", name="Change my password"))
    assert ui.page.get_by_role("heading", level=1).inner_text() == "Your password has been changed"
    assert get_user_model().objects.get(username="officer").check_password(new)
