"""The browser checks themselves can fail: axe finds a violation, a non-local request is blocked,
a console error is caught, an unreachable control is reported, an invisible focus is caught."""

import pytest

from .conftest import A11yViolation

pytestmark = pytest.mark.browser


def test_axe_reports_rule_and_node(ui):
    ui.page.set_content(
        '<html lang="en"><title>t</title><main><img src="data:," id="pic"><input id="nolabel"></main></html>'
    )
    with pytest.raises(A11yViolation) as raised:
        ui.check()
    message = str(raised.value)
    assert "image-alt" in message and "#pic" in message
    assert "label" in message and "#nolabel" in message


def test_requests_leaving_localhost_are_aborted_and_recorded(ui):
    # A page without the site's CSP (which would stop this before the network), loading a CDN image.
    ui.page.set_content('<html lang="en"><title>t</title><img src="https://cdn.example.org/x.png" alt=""></html>')
    assert ui.blocked_requests == ["GET https://cdn.example.org/x.png (from about:blank)"]
    with pytest.raises(AssertionError, match="leave localhost"):
        ui.finish()
    ui.blocked_requests.clear()
    ui.console_errors.clear()  # the aborted image also logs a console error


def test_console_errors_fail_the_test(ui):
    ui.goto("/accounts/login/")
    ui.page.evaluate("() => console.error('boom from a test')")
    with pytest.raises(AssertionError, match="boom from a test"):
        ui.finish()
    ui.console_errors.clear()


def test_keyboard_helper_reports_unreachable_controls_and_invisible_focus(ui):
    ui.page.set_content(
        '<html lang="en"><title>t</title><style>button:focus{outline:none}</style><main>'
        '<a href="#x">first</a><div id="not-focusable">text</div><button>plain</button></main></html>'
    )
    with pytest.raises(AssertionError, match="not reached"):
        ui.tab_to(ui.page.locator("#not-focusable"), max_presses=10)
    with pytest.raises(AssertionError, match="no visible focus indicator"):
        ui.tab_to(ui.page.get_by_role("button", name="plain"))
    ui.check()


def test_colour_contrast_is_checked(ui):
    ui.page.set_content(
        '<html lang="en"><title>t</title><main><p style="color:#bbb;background:#fff">faint</p></main></html>'
    )
    with pytest.raises(A11yViolation, match="color-contrast"):
        ui.check()
