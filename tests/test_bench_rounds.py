"""The bench takes each page's cold requests and floor runs a round of every page at a time
(``bench.workers._in_turn``): a stall of the machine then lands on one run of each page it overlaps, not on
every run of one page. Plain functions: no database, no timing."""

import statistics

from bench.workers import _in_turn


def test_runs_go_a_round_of_every_page_at_a_time():
    calls = []

    def run(number, index, page):
        calls.append((index, page))
        return float(len(calls))

    times = _in_turn(["overview", "area", "school"], 3, run)
    assert calls == [(round_, page) for round_ in range(3) for page in ("overview", "area", "school")]
    # Each page keeps its own runs, in the order taken: the overview ran 1st, 4th and 7th.
    assert times == [[1.0, 4.0, 7.0], [2.0, 5.0, 8.0], [3.0, 6.0, 9.0]]


def test_a_stall_costs_each_page_a_run_or_two_so_no_median_moves():
    """Five slow runs in a row (a checkpoint's flush, say) among 3 pages × 11 rounds: ticks 10–14 are round
    4's area and school and round 5's three pages, so no page gets more than two, and each median of eleven
    stays a quick run. (The bench used to take five runs of a page, page by page: ticks 10–14 would then have
    been every run of the third page, a median of 500.)"""
    clock = iter(range(33))

    def run(number, index, page):
        tick = next(clock)
        return 500.0 if 10 <= tick < 15 else 50.0

    times = _in_turn(["overview", "area", "school"], 11, run)
    assert [sum(t == 500.0 for t in page) for page in times] == [1, 2, 2]
    assert [statistics.median(page) for page in times] == [50.0, 50.0, 50.0]
