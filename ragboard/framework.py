"""Load a self-evaluation framework from a JSON fixture (``fixtures/quality_standards_*.json``).

The framework is data: a newer document is a new file with a higher ``version`` and loads
alongside the old one, so rounds already judged keep the descriptors they were judged against.
Loading the same (code, version) again changes nothing. The loader takes a model getter so the
data migration can run it with historical models.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction

FORMAT = "gapmonitor-framework/1"
GRADE_CODES = ("OS", "G", "NI", "SI")
PHASE_CODES = ("EY", "PRI", "SEC")
RULES = ("statement", "item", "checklist", "all_good", "missing_count", "band")


class FrameworkError(ValueError):
    """The fixture is not a framework we can load; nothing was written."""


def fixture_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures"


def framework_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or fixture_dir()).glob("quality_standards_*.json"))


def _default_models():
    return apps


def validate(data: dict) -> None:
    """Check the shape before writing anything, with a message that says where the problem is."""
    if data.get("format") != FORMAT:
        raise FrameworkError(f"Unknown format {data.get('format')!r}; expected {FORMAT!r}.")
    fw = data.get("framework") or {}
    for key in ("code", "version", "title"):
        if not fw.get(key):
            raise FrameworkError(f"framework.{key} is missing.")
    metric_codes = {m["code"] for m in data.get("metrics", [])}
    seen_sets = set()
    for kr in data.get("key_ratings", []):
        for st in kr.get("sets", []):
            code = st.get("code")
            if not code or code in seen_sets:
                raise FrameworkError(f"Set code {code!r} is missing or repeated.")
            seen_sets.add(code)
            if not set(st.get("phases", [])) <= set(PHASE_CODES) or not st.get("phases"):
                raise FrameworkError(f"Set {code}: phases must be a non-empty list of {PHASE_CODES}.")
            codes = set()
            for column, descriptors in st.get("descriptors", {}).items():
                if column not in GRADE_CODES:
                    raise FrameworkError(f"Set {code}: unknown column {column!r}.")
                for desc in descriptors:
                    for item in [desc, *desc.get("items", [])]:
                        if item.get("code") in codes:
                            raise FrameworkError(f"Set {code}: descriptor code {item.get('code')!r} repeated.")
                        codes.add(item.get("code"))
                        rule = item.get("rule", "statement")
                        if rule not in RULES:
                            raise FrameworkError(f"{item.get('code')}: unknown rule {rule!r}.")
                        if rule == "band" and item.get("params", {}).get("metric") not in metric_codes:
                            raise FrameworkError(f"{item.get('code')}: band rule names an unknown metric.")
            for descriptors in st.get("descriptors", {}).values():
                for desc in descriptors:
                    if desc.get("rule") == "missing_count" and desc.get("params", {}).get("checklist") not in codes:
                        raise FrameworkError(f"{desc.get('code')}: counts an unknown checklist.")
    if not seen_sets:
        raise FrameworkError("The framework has no sets.")


@transaction.atomic
def load_data(data: dict, *, source: str = "", apps=None):
    """Create the framework version described by ``data`` unless it is already loaded. Returns (framework, created)."""
    validate(data)
    apps = apps or _default_models()
    Framework = apps.get_model("ragboard", "Framework")
    KeyRating = apps.get_model("ragboard", "KeyRating")
    StandardSet = apps.get_model("ragboard", "StandardSet")
    QualityStandard = apps.get_model("ragboard", "QualityStandard")
    Descriptor = apps.get_model("ragboard", "Descriptor")

    fw = data["framework"]
    existing = Framework.objects.filter(code=fw["code"], version=fw["version"]).first()
    if existing:
        return existing, False
    issued = date.fromisoformat(fw["issued"]) if fw.get("issued") else None
    framework = Framework.objects.create(
        code=fw["code"],
        version=fw["version"],
        title=fw["title"],
        publication_ref=fw.get("publication_ref", ""),
        issued=issued,
        source_file=source,
        metrics=data.get("metrics", []),
        interpretations=data.get("interpretations", []),
        is_active=True,
    )
    # Only the newest version of a framework is offered for new rounds.
    Framework.objects.filter(code=fw["code"], version__lt=fw["version"]).update(is_active=False)
    if Framework.objects.filter(code=fw["code"], version__gt=fw["version"]).exists():
        Framework.objects.filter(pk=framework.pk).update(is_active=False)

    order = 0
    for kr_data in data["key_ratings"]:
        key_rating = KeyRating.objects.create(
            framework=framework,
            number=kr_data["number"],
            title=kr_data["title"],
            dashboard_title=kr_data.get("dashboard_title") or kr_data["title"],
        )
        for st in kr_data["sets"]:
            order += 1
            standard_set = StandardSet.objects.create(
                framework=framework,
                key_rating=key_rating,
                code=st["code"],
                order=order,
                title=st["title"],
                short_title=st.get("short_title") or st["title"][:160],
                phases=st["phases"],
                note=st.get("note", ""),
                indicators=st.get("indicators", []),
            )
            _load_standards(QualityStandard, standard_set, st.get("standards", []))
            _load_descriptors(Descriptor, standard_set, st["descriptors"])
    return framework, True


def _load_standards(QualityStandard, standard_set, standards, parent=None, counter=None):
    counter = counter if counter is not None else [0]
    for item in standards:
        counter[0] += 1
        row = QualityStandard.objects.create(
            standard_set=standard_set,
            parent=parent,
            order=counter[0],
            lead_in=item.get("lead_in", ""),
            text=item["text"],
        )
        _load_standards(QualityStandard, standard_set, item.get("children", []), parent=row, counter=counter)


def _load_descriptors(Descriptor, standard_set, columns):
    order = 0
    for column in GRADE_CODES:
        for desc in columns.get(column, []):
            order += 1
            parent = Descriptor.objects.create(order=order, column=column, standard_set=standard_set, **_fields(desc))
            for item in desc.get("items", []):
                order += 1
                Descriptor.objects.create(
                    order=order, column=column, standard_set=standard_set, parent=parent, **_fields(item)
                )


def _fields(desc: dict) -> dict:
    return dict(
        code=desc["code"],
        lead_in=desc.get("lead_in", ""),
        text=desc["text"],
        is_critical=bool(desc.get("critical")),
        rule=desc.get("rule", "statement"),
        params=desc.get("params", {}),
        phases=desc.get("phases", []),
        interpretation=desc.get("interpretation", ""),
    )


def load_file(path: Path | str, *, apps=None):
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FrameworkError(f"Cannot read {path.name}: {exc}") from exc
    return load_data(data, source=path.name, apps=apps)


def load_all(directory: Path | None = None, *, apps=None) -> list[tuple[object, bool]]:
    """Load every framework file in ``fixtures/`` (oldest version first, so the newest ends active)."""
    loaded = []
    files = framework_files(directory)
    parsed = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        parsed.append((data.get("framework", {}).get("version", 0), path, data))
    for _version, path, data in sorted(parsed, key=lambda row: row[0]):
        loaded.append(load_data(data, source=path.name, apps=apps))
    return loaded
