"""End-to-end tests in a real, headless Chromium (Debian's ``chromium``), driven by Playwright.

Every test here:
- is skipped, with the reason printed in the run summary, when Chromium (or Playwright) is missing;
- runs against pytest-django's ``live_server`` filled by ``generate_demo_data`` (small demo LA);
- fails on any browser console error or uncaught page error;
- fails on any request that would leave localhost (such requests are aborted and recorded);
- runs axe-core on every page it visits and fails on any WCAG 2.0/2.1/2.2 A/AA violation
  (``ui.check()`` is called by the helpers after each navigation; a page left unchecked fails too).
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CONTRAST_CHECKED: set[tuple[str, str]] = set()  # page kinds whose colour contrast axe has checked this session
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO = dict(schools=12, years=5, seed=3)
PASSWORD = "demo-password"


def find_chromium() -> str | None:
    """The Chromium to drive: $GAPMONITOR_CHROMIUM if set (only it), else /usr/bin/chromium, else one on PATH."""
    if os.environ.get("GAPMONITOR_CHROMIUM"):
        candidates = [os.environ["GAPMONITOR_CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _skip_reason() -> str | None:
    if find_chromium() is None:
        return (
            "Chromium not found (looked for $GAPMONITOR_CHROMIUM or /usr/bin/chromium or `chromium` on PATH): "
            "install Debian's `chromium` package (.ci/run does) to run the browser tests"
        )
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright/axe not installed ({exc}): run `make install-dev`"
    return None


SKIP_REASON = _skip_reason()


# ---------------------------------------------------------------- pytest hooks


def pytest_configure(config):
    config.addinivalue_line("markers", "screenshots: writes docs/screenshots/; runs only with --screenshots")
    config.addinivalue_line(
        "markers", "demo_apps(*apps, **size): also build these apps' demo content (and size) for the test"
    )


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help=f"write PNGs of the main pages to {SCREENSHOT_DIR} (make screenshots)",
    )


def _is_browser(item) -> bool:
    return item.get_closest_marker("browser") is not None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Skip browser tests without Chromium; run them last.

    They use transactional databases (the live server is another thread), whose flush empties
    the reference tables, so putting them after every other test keeps the others unaffected.
    """
    browser = [item for item in items if _is_browser(item)]
    if SKIP_REASON:
        for item in browser:
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {SKIP_REASON}"))
    elif not config.getoption("screenshots", default=False):
        for item in browser:
            if item.get_closest_marker("screenshots"):
                item.add_marker(
                    pytest.mark.skip(reason="writes docs/screenshots/: run `make screenshots` (pytest … --screenshots)")
                )
    others = [item for item in items if not _is_browser(item)]
    items[:] = others + browser


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    browser_reports = [
        r
        for key in ("passed", "failed", "skipped", "error")
        for r in stats.get(key, [])
        if getattr(r, "when", "call") in ("call", "setup") and "browser" in getattr(r, "keywords", {})
    ]
    if not browser_reports:
        return
    terminalreporter.section("browser tests")
    if SKIP_REASON:
        terminalreporter.write_line(f"SKIPPED ALL BROWSER TESTS: {SKIP_REASON}", yellow=True, bold=True)
    else:
        terminalreporter.write_line(
            f"Ran in headless Chromium at {find_chromium()} (axe-core tags: {', '.join(AXE_TAGS)})."
        )


# ---------------------------------------------------------------- findings collected per page


class A11yViolation(AssertionError):
    pass


def format_axe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} WCAG A/AA violation(s) on {url}"]
    for violation in violations:
        lines.append(f"  - {violation['id']} ({violation.get('impact')}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"      at {target}: {node.get('html', '')[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more node(s)")
    return "\n".join(lines)


class UI:
    """A page in the journey plus the checks every step must pass.

    Listeners collect console errors, uncaught page errors, 5xx responses and (from the fixture's
    route) requests that would leave localhost; ``check()`` runs axe on the page now shown and raises
    at once on a violation. The navigation helpers (``goto``, ``click``, ``press_enter_on``) check
    each new page; ``finish()`` (called by the fixture) fails the test on anything collected, or if
    the last page reached was never checked.
    """

    def __init__(self, page, base_url: str):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.base_url = base_url.rstrip("/")
        self.axe = Axe()
        self.console_errors: list[str] = []
        self.allowed_console: list[re.Pattern] = []
        self.blocked_requests: list[str] = []
        self.navigations = 0
        self.checked_navigations = 0
        self.checked_urls: list[str] = []
        self.server_errors: list[str] = []
        self._document = ""
        self.role = ""  # the demo user signed in (sign_in sets it)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught page error: {exc}"))
        page.on("framenavigated", self._on_navigated)
        page.on("response", self._on_response)

    # -- listeners
    def _on_console(self, message):
        if message.type != "error":
            return
        text = f"console error on {self.page.url}: {message.text}"
        if any(pattern.search(message.text) for pattern in self.allowed_console):
            return
        self.console_errors.append(text)

    def _on_response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} from {response.request.method} {response.url}")

    def _on_navigated(self, frame):
        if frame != self.page.main_frame:
            return
        # A jump to a #fragment of the same document (the skip link) is not a new page.
        document = frame.url.split("#")[0]
        if "#" in frame.url and document == self._document:
            return
        self._document = document
        self.navigations += 1

    # -- navigation helpers
    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def goto(self, path: str, *, check: bool = True, collect: list | None = None):
        response = self.page.goto(self.url(path))
        self.page.wait_for_load_state("load")
        if check:
            self.check(collect=collect)
        return response

    def click(self, locator, *, check: bool = True):
        """Click something that navigates, wait for the new page, check it."""
        with self.page.expect_navigation():
            locator.click()
        if check:
            self.check()

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # -- accessibility
    def check(self, *, context=None, collect: list | None = None):
        """Run axe-core on the page now shown; fail on any WCAG A/AA violation (rule and nodes named).

        With ``collect`` (a list), the report is appended to it instead of raising, so a tour of many
        pages can name every violation at once.
        """
        self.page.wait_for_load_state("load")
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        # colour-contrast is most of axe's time on big pages (the school page: ~12,000 elements); it
        # depends on the template's styles, so it runs on the first page of each kind (URL with its
        # numbers blanked, per signed-in role) in a session, every other rule on every page.
        # GAPMONITOR_AXE_FULL=1: always.
        kind = (self.role, re.sub(r"\d+", "N", urlsplit(self.page.url).path))
        if kind in CONTRAST_CHECKED and not os.environ.get("GAPMONITOR_AXE_FULL"):
            options["rules"] = {"color-contrast": {"enabled": False}}
        results = self.axe.run(self.page, context=context, options=options)
        self.checked_navigations = self.navigations
        self.checked_urls.append(self.page.url)
        violations = results.response["violations"]
        if "rules" not in options and self.page.url.startswith("http"):
            CONTRAST_CHECKED.add(kind)
        if violations:
            report = format_axe_violations(self.page.url, violations)
            if collect is None:
                raise A11yViolation(report)
            collect.append(report)
        return results

    # -- keyboard
    def tab_to(self, locator, *, max_presses: int | None = None):
        """Press Tab until ``locator`` has focus; assert it was reachable and its focus is visible.

        Tabbing goes on from wherever focus is now (wrapping round the page if need be); by default it
        gives up after twice the number of focusable elements on the page.
        """
        target = locator
        target.wait_for(state="visible")
        if max_presses is None:
            max_presses = 2 * self.page.evaluate(TABBABLE_COUNT_JS) + 10
        for _ in range(max_presses):
            self.page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                assert_focus_visible(target)
                return target
        raise AssertionError(f"{describe(target)} on {self.page.url} was not reached by {max_presses} Tab presses")

    def press_enter_on(self, locator, *, navigates: bool = True, check: bool = True):
        """Reach a link or button by Tab and activate it with Enter."""
        target = self.tab_to(locator)
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press("Enter")
            if check:
                self.check()
        else:
            self.page.keyboard.press("Enter")
        return target

    def download(self, locator, directory: Path) -> Path:
        """Reach a download link by Tab, press Enter, save the file; returns its path."""
        self.tab_to(locator)
        with self.page.expect_download() as info:
            self.page.keyboard.press("Enter")
        download = info.value
        assert download.failure() is None, f"download failed: {download.failure()}"
        path = directory / download.suggested_filename
        download.save_as(path)
        return path

    def select(self, locator, value: str):
        """Reach a drop-down by Tab and choose an option (by value or label)."""
        self.tab_to(locator)
        locator.select_option(value)
        return locator

    def type_into(self, locator, text: str):
        """Reach a text field by Tab and type into it."""
        target = self.tab_to(locator)
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text)
        return target

    @contextmanager
    def expecting_console_error(self, pattern: str):
        """Inside the block only, ignore console errors matching ``pattern`` — the browser's own note
        ("Failed to load resource: … status of 404") on an error page the test asks for."""
        compiled = re.compile(pattern)
        self.allowed_console.append(compiled)
        try:
            yield
        finally:
            self.allowed_console.remove(compiled)

    def finish(self):
        problems = []
        if self.console_errors:
            problems.append("browser console errors:\n  " + "\n  ".join(self.console_errors))
        if self.server_errors:
            problems.append("server errors:\n  " + "\n  ".join(self.server_errors))
        if self.blocked_requests:
            problems.append("requests that would leave localhost (aborted):\n  " + "\n  ".join(self.blocked_requests))
        if self.navigations > self.checked_navigations:
            problems.append(f"the last page visited ({self.page.url}) was never checked with axe (call ui.check())")
        if problems:
            raise AssertionError("\n".join(problems))


def describe(locator) -> str:
    try:
        return locator.evaluate("el => el.outerHTML.slice(0, 160)")
    except Exception:  # noqa: BLE001 - only for messages
        return repr(locator)


TABBABLE_COUNT_JS = """() => document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])').length"""

FOCUS_STYLE_JS = """el => {
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {focusVisible: el.matches(':focus-visible'), outline, shadow,
          width: el.getBoundingClientRect().width, height: el.getBoundingClientRect().height,
          outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, boxShadow: s.boxShadow};
}"""


def assert_focus_visible(locator):
    """The focused element shows a visible indicator (outline or box shadow) and has a size."""
    style = locator.evaluate(FOCUS_STYLE_JS)
    assert style["focusVisible"], f"{describe(locator)} has focus but not :focus-visible"
    assert style["outline"] or style["shadow"], f"no visible focus indicator on {describe(locator)}: {style}"
    assert style["width"] > 0 and style["height"] > 0, f"focused element is not visible: {describe(locator)}"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chromium_path():
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    return find_chromium()


@pytest.fixture(scope="session")
def browser(chromium_path, django_db_setup):
    """One headless Chromium for the whole session.

    While Playwright's sync API is active its event loop counts as running in this thread, so
    Django (through asgiref's ``Local``) keeps a second set of database connections for this
    "async" context and refuses ORM calls unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. Both are
    handled here, for the browser tests only (they run last): the variable is set for the
    session's browser part, and the serialized reference data that pytest-django restores between
    transactional tests is copied onto the new connections.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, contents in serialized.items():
                if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                    connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(request, browser, django_db_serialized_rollback, live_server):
    """The live server with the small demo LA (schools, results, users).

    A test marked ``@pytest.mark.demo_apps("strategy", "ragboard")`` also gets those apps' demo
    content (plans, visits, self-evaluation…), built as ``generate_demo_data`` builds it; the
    others skip it to stay fast. Keyword arguments (``schools=36``) change the demo's size.
    ``django_db_serialized_rollback`` restores the reference data
    (measures, groups, roles) that the live server's transactional flush removes between tests.
    """
    from importlib import import_module

    from schools import demo

    marker = request.node.get_closest_marker("demo_apps")
    context = demo.generate(**{**DEMO, **(marker.kwargs if marker else {})})
    for app in marker.args if marker else ():
        import_module(f"{app}.demo").generate(context)
    return Site(live_server.url, context.la)


class Site:
    def __init__(self, url, la):
        from django.contrib.auth import get_user_model

        self.url = url
        self.la = la
        from schools.models import Result

        self.users = {
            u.username: u
            for u in get_user_model().objects.filter(username__in=["officer", "adviser", "head", "data", "admin"])
        }
        self.years = sorted(Result.objects.filter(school__la=la).values_list("results_year", flat=True).distinct())


@pytest.fixture
def ui(browser, site, tmp_path):
    """A fresh browser context (cookies, downloads) on the live server, with all the checks wired in."""
    context = browser.new_context(
        base_url=site.url,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    ui = UI(page, site.url)

    def guard(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            ui.blocked_requests.append(f"{route.request.method} {route.request.url} (from {page.url})")
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    ui.site = site
    ui.downloads = tmp_path
    yield ui
    try:
        ui.finish()
    finally:
        context.close()


@pytest.fixture
def sign_in(ui):
    """sign_in("officer") → signs in through the form with the keyboard, returns the page reached."""

    def do(username: str, password: str = PASSWORD):
        ui.role = ""
        ui.goto("/accounts/login/")
        ui.type_into(ui.page.get_by_label("Username"), username)
        ui.type_into(ui.page.get_by_label("Password"), password)
        ui.role = username
        ui.press_enter_on(ui.page.get_by_role("button", name="Sign in"))
        return ui.page

    return do
