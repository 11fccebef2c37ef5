"""A deterministic, realistic demo local authority.

Pupils are simulated one by one (vectorised with numpy) and then counted by
group, so every school's "all pupils" figure is exactly the sum of its
disadvantaged and other pupils, of its boys and girls, and so on — as in real
data. Some schools' gaps narrow over the years, others widen; special schools
and small primaries give tiny, suppressible cohorts; 2020 and 2021 have no
results, as in England. National figures are England's published ones wherever the repository holds them
(``england_figures``); Ofsted histories and data statuses follow the rules and timetable of their dates.
"""

from .building import DemoContext, generate
from .figures import results_status
from .names import DEMO_LA_CODE, DEMO_LA_NAME, DEMO_PASSWORD, DEMO_REGION, DEMO_USERS
from .simulation import england_figures, published_years

__all__ = [
    "DEMO_LA_CODE",
    "DEMO_LA_NAME",
    "DEMO_PASSWORD",
    "DEMO_REGION",
    "DEMO_USERS",
    "DemoContext",
    "england_figures",
    "generate",
    "published_years",
    "results_status",
]
