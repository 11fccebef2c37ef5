"""Names for the demo LA: its code, users and password, areas, towns and school names, the pupil groups it
simulates."""

from __future__ import annotations

from ..roles import Role

DEMO_LA_CODE = "999"
DEMO_LA_NAME = "Demoshire"
DEMO_REGION = ("E12000008", "South East")
DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("officer", Role.LA_OFFICER, "Olivia", "Officer"),
    ("adviser", Role.ADVISER, "Adam", "Adviser"),
    ("head", Role.HEADTEACHER, "Hana", "Head"),
    ("data", Role.DATA_MANAGER, "Dev", "Data"),
    ("admin", Role.ADMINISTRATOR, "Ada", "Admin"),
    ("national", Role.NATIONAL_OFFICER, "Nadia", "National"),
]
AREA_NAMES = ["North", "South", "East", "West", "Central", "Coastal"]
TOWNS = [
    "Ashby",
    "Brampton",
    "Calder",
    "Dunmore",
    "Elmstead",
    "Fairlight",
    "Glenholm",
    "Harwick",
    "Ingleby",
    "Jesmond",
    "Kilbride",
    "Langley",
    "Marston",
    "Northam",
    "Oakhurst",
    "Penrith",
    "Queensbury",
    "Redhill",
    "Stanton",
    "Thornbury",
    "Upwell",
    "Valley End",
    "Westbury",
    "Yardley",
    "Ashcombe",
    "Brackenfield",
    "Cotterill",
    "Dovecote",
    "Eastwick",
    "Foxley",
    "Greyfriars",
    "Holmewood",
]
TOWN_PREFIXES = ["Upper", "Lower", "Great", "Little", "Nether", "Over", "Old", "Far"]
QUARTERS = ["Hill", "Green", "Park", "Fields", "Meadow", "Brook", "Wood", "Vale", "Grange", "Heath", "Common", "Lane"]
PRIMARY_SUFFIXES = [
    "Primary School",
    "CE Primary School",
    "Infant and Junior School",
    "Community Primary School",
    "St Mary's Catholic Primary School",
    "Academy",
    "Junior School",
    "Park Primary School",
]

GROUP_CODES = [
    "all",
    "disadvantaged",
    "not_disadvantaged",
    "fsm",
    "not_fsm",
    "sen_support",
    "ehcp",
    "sen_any",
    "no_sen",
    "cla",
    "not_cla",
    "eal",
    "not_eal",
    "boys",
    "girls",
]
HEADLINE_GROUP_CODES = ["all", "disadvantaged", "not_disadvantaged"]


def town_name(index: int) -> str:
    """The index-th pyramid's town: the towns, then "Upper Ashby", "Lower Ashby"…, then numbered."""
    town, round_ = TOWNS[index % len(TOWNS)], index // len(TOWNS)
    if round_ == 0:
        return town
    if round_ <= len(TOWN_PREFIXES):
        return f"{TOWN_PREFIXES[round_ - 1]} {town}"
    return f"{town} {round_ - len(TOWN_PREFIXES) + 1}"


def unique_name(place: str, endings: list[str], used: set[str], start: int = 0) -> str:
    """The first of "<place> <ending>", then "<place> <quarter> <ending>", not yet used in the LA, so no two
    schools share a name."""
    for quarter in ("", *QUARTERS):
        for step in range(len(endings)):
            name = " ".join(filter(None, (place, quarter, endings[(start + step) % len(endings)])))
            if name not in used:
                used.add(name)
                return name
    number = 2
    while f"{place} {endings[0]} {number}" in used:
        number += 1
    used.add(f"{place} {endings[0]} {number}")
    return f"{place} {endings[0]} {number}"
