"""A read-only feed for BI tools (Power BI, Excel): the pooled figures at each level as JSON or CSV,
token-authenticated, paginated, scoped to the token's user like the pages and suppressed like every
document (small cohorts never leave the building).

    GET /api/figures/schools/?measure=ks2_rwm_exp&group=disadvantaged&year=2025&format=csv
    Authorization: Token <key>
"""

from __future__ import annotations

from rest_framework import viewsets
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from gapmonitor.conf import conf
from schools import selectors

from .renderers import CSVRenderer
from .rows import figure_rows


class FeedPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)  # CSV has no body field for them
        return response


class FigureViewSet(viewsets.ViewSet):
    """Pooled figures for every organisation at one level that the token's user may see.

    Query: ``measure`` (code; repeat or comma-separate; default the headline measures), ``group`` (focus
    group code, default disadvantaged), ``year`` (default each organisation's latest), ``page``,
    ``page_size`` (≤ 1000), ``format`` (json or csv)."""

    level = ""
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = FeedPagination

    def _options(self, request):
        params = request.query_params
        groups = selectors.pupil_groups()
        focus = groups.get(params.get("group") or conf.default_group)
        if focus is None or focus.comparison_id is None:
            codes = ", ".join(g.code for g in selectors.focus_groups(groups))
            raise ValidationError({"group": f"Unknown focus group. Codes: {codes}."})
        codes = [c for value in params.getlist("measure") for c in value.split(",") if c]
        if codes:
            by_code = selectors.measures_by_code(codes)
            unknown = sorted(set(codes) - set(by_code))
            if unknown:
                raise ValidationError({"measure": f"Unknown measure {', '.join(unknown)}."})
            measures = [by_code[c] for c in codes]
        else:
            measures = selectors.headline_measures()
        year = params.get("year")
        if year:
            try:
                year = int(year)
            except ValueError:
                raise ValidationError({"year": "A results year, e.g. 2025 for 2024/25."}) from None
        return measures, focus, groups, year or None

    def list(self, request):
        measures, focus, groups, year = self._options(request)
        rows = figure_rows(request.user, self.level, measures=measures, focus=focus, groups=groups, year=year)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        if page is None:
            raise NotFound()
        return paginator.get_paginated_response(page)


class LAFigures(FigureViewSet):
    level = "la"


class AreaFigures(FigureViewSet):
    level = "area"


class ClusterFigures(FigureViewSet):
    level = "cluster"


class SchoolFigures(FigureViewSet):
    level = "school"
