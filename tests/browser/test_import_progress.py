"""Data manager: a confirmed import waits for the worker with a progress bar, and the page follows it to the
end by itself (the status feed, polled by the page's script) once the worker has run it."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_queued_import_shows_its_progress_and_the_page_follows_it_to_the_end(ui, sign_in, settings, tmp_path):
    from schools.models import Result, School
    from tests.task_support import run_next_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    page = ui.page
    school = School.objects.filter(la=ui.site.la).order_by("urn").first()
    # A year the demo has no figures for: 9 of 18 disadvantaged pupils reached the expected standard (50%).
    upload = tmp_path / "results.csv"
    upload.write_text(
        f"urn,results_year,measure,pupil_group,cohort,achievers\n{school.urn},2030,ks2_rwm_exp,disadvantaged,18,9\n"
    )
    sign_in("data")
    ui.tab_to(page.get_by_label("File", exact=True))
    page.get_by_label("File", exact=True).set_input_files(str(upload))
    ui.select(page.get_by_label("Format"), "long")
    ui.press_enter_on(page.get_by_role("button", name="Check the file"))
    ui.press_enter_on(page.get_by_role("button", name="Confirm and import"))

    assert "is queued and runs in the background" in page.get_by_role("status").inner_text()
    bar = page.get_by_role("progressbar", name=re.compile(r"Import #\d+: per cent done"))
    assert bar.get_attribute("value") == "0"
    assert "Waiting for the import worker to start: 0% done." in page.locator("main").inner_text()
    assert not Result.objects.filter(results_year=2030).exists()

    run_next_task("browser-test")

    # The page's script sees the import finished and loads the page again: no progress bar, what it did.
    page.get_by_role("heading", name="What the import did").wait_for()
    assert page.get_by_role("progressbar").count() == 0
    assert "Imported" in page.locator("dl.facts").first.inner_text()
    assert Result.objects.get(school=school, results_year=2030, pupil_group__code="disadvantaged").achievers == 9
    ui.check()
