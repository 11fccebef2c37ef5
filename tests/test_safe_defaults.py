"""Safe defaults: every function that can show small cohorts takes the choice as a required keyword argument.

A default (either way) lets a caller forget to pass the viewer's real choice; a positional flag lets a call read
``f(rows, True)``. This test inspects every function and method of the application code.
"""

import importlib
import inspect
import pkgutil
import re

APPS = ("gapmonitor", "schools", "strategy", "ragboard", "reports", "feed")
SMALL_COHORT_CHOICE = re.compile(r"^(show|viewer_sees|sees)_small\w*$|^unsuppressed$")


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or info.name.endswith(("settings", "wsgi", "asgi")):
                continue
            yield importlib.import_module(info.name)


def _callables():
    seen = set()
    for module in _modules():
        for obj in vars(module).values():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                candidates = [(f"{obj.__module__}.{obj.__qualname__}", obj)]
            elif inspect.isclass(obj):
                functions = [inspect.unwrap(getattr(value, "__func__", value)) for value in vars(obj).values()]
                candidates = [(f"{f.__module__}.{f.__qualname__}", f) for f in functions if inspect.isfunction(f)]
            else:
                continue
            for qualified, function in candidates:
                if id(function) not in seen:
                    seen.add(id(function))
                    yield qualified, function


def _choices():
    for qualified, function in _callables():
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):
            continue
        for parameter in parameters:
            if SMALL_COHORT_CHOICE.search(parameter.name):
                yield qualified, parameter


def test_every_small_cohort_choice_is_a_required_keyword_argument():
    found = list(_choices())
    names = {qualified for qualified, _ in found}
    # The check sees the functions it is about (so it cannot pass by finding nothing).
    from schools.disclosure import disclose
    from strategy.targets import evaluate, status_of

    assert {f"{f.__module__}.{f.__qualname__}" for f in (disclose, evaluate, status_of)} <= names
    wrong = [
        f"{qualified}({parameter})"
        for qualified, parameter in found
        if parameter.default is not inspect.Parameter.empty or parameter.kind is not inspect.Parameter.KEYWORD_ONLY
    ]
    assert wrong == []


def test_the_check_would_catch_a_default():
    def careless(figures, *, show_small_cohorts=True):
        return figures

    (parameter,) = [p for p in inspect.signature(careless).parameters.values() if SMALL_COHORT_CHOICE.search(p.name)]
    assert parameter.default is not inspect.Parameter.empty
