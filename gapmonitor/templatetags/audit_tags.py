"""{% object_history obj %}: an object's change history, shown to LA-wide roles only."""

from django import template

from gapmonitor.audit import history_of
from schools.roles import LA_WIDE_ROLES, has_role

register = template.Library()


@register.inclusion_tag("audit/object_history.html", takes_context=True)
def object_history(context, obj, limit=20):
    request = context.get("request")
    allowed = request is not None and has_role(request.user, *LA_WIDE_ROLES)
    return {"entries": history_of(obj, limit) if allowed else [], "allowed": allowed, "object": obj}
