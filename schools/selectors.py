"""Reads. Access scoping lives here and only here: every view asks these functions
what a user may see, so a headteacher guessing another school's URL gets a 404."""
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Area, Cluster, LocalAuthority, Profile, School
from .roles import LA_WIDE_ROLES, UNSUPPRESSED_ROLES, Role, has_role, roles_of


def profile_of(user) -> Profile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def visible_schools(user) -> QuerySet[School]:
    """The schools a user may see: the one place that decides."""
    schools = School.objects.select_related("la", "area", "cluster")
    if not user.is_authenticated:
        return schools.none()
    profile = profile_of(user)
    if has_role(user, *LA_WIDE_ROLES):
        if profile and profile.la_id and not user.is_superuser:
            return schools.filter(la_id=profile.la_id)
        return schools
    if profile is None:
        return schools.none()
    scope = Q(pk__in=[])
    if has_role(user, Role.ADVISER):
        scope |= Q(pk__in=profile.schools.values("pk"))
        if profile.cluster_id:
            scope |= Q(cluster_id=profile.cluster_id)
        if profile.area_id:
            scope |= Q(area_id=profile.area_id)
    if has_role(user, Role.HEADTEACHER) and profile.school_id:
        scope |= Q(pk=profile.school_id)
    return schools.filter(scope)


def visible_las(user) -> QuerySet[LocalAuthority]:
    if not has_role(user, *LA_WIDE_ROLES):
        return LocalAuthority.objects.none()
    return LocalAuthority.objects.filter(pk__in=visible_schools(user).values("la_id"))


def visible_areas(user) -> QuerySet[Area]:
    """Areas whose whole-area figures the user may see: LA-wide roles only."""
    if not has_role(user, *LA_WIDE_ROLES):
        profile = profile_of(user)
        if has_role(user, Role.ADVISER) and profile and profile.area_id:
            return Area.objects.filter(pk=profile.area_id)
        return Area.objects.none()
    return Area.objects.filter(la__in=visible_las(user)).select_related("la")


def visible_clusters(user) -> QuerySet[Cluster]:
    """Clusters whose whole-cluster figures the user may see."""
    if not has_role(user, *LA_WIDE_ROLES):
        profile = profile_of(user)
        if has_role(user, Role.ADVISER) and profile:
            scope = Q(pk__in=[])
            if profile.cluster_id:
                scope |= Q(pk=profile.cluster_id)
            if profile.area_id:
                scope |= Q(area_id=profile.area_id)
            return Cluster.objects.filter(scope).select_related("la", "area")
        return Cluster.objects.none()
    return Cluster.objects.filter(la__in=visible_las(user)).select_related("la", "area")


def get_visible_school(user, urn) -> School:
    """The school with this URN if the user may see it; 404 otherwise (never 403: no hint it exists)."""
    return get_object_or_404(visible_schools(user), urn=urn)


def get_visible_area(user, pk) -> Area:
    return get_object_or_404(visible_areas(user), pk=pk)


def get_visible_cluster(user, pk) -> Cluster:
    return get_object_or_404(visible_clusters(user), pk=pk)


def get_visible_la(user, code) -> LocalAuthority:
    return get_object_or_404(visible_las(user), code=code)


def default_la(user) -> LocalAuthority:
    """The LA a user's overview opens on: their profile's LA, else the first they may see."""
    profile = profile_of(user)
    las = visible_las(user)
    if profile and profile.la_id:
        la = las.filter(pk=profile.la_id).first()
        if la:
            return la
    la = las.order_by("name").first()
    if la is None:
        raise Http404("No local authority to show.")
    return la


def sees_small_cohorts(user) -> bool:
    """LA officers and data managers see small-cohort figures; everyone else sees them suppressed."""
    return has_role(user, *UNSUPPRESSED_ROLES)


__all__ = [
    "visible_schools", "visible_las", "visible_areas", "visible_clusters", "get_visible_school",
    "get_visible_area", "get_visible_cluster", "get_visible_la", "default_la", "sees_small_cohorts",
    "profile_of", "roles_of",
]
