"""Who may see what. Access scoping lives here and only here: every view asks these functions what a user may
see, so a headteacher guessing another school's URL gets a 404."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .disclosure import disclosure_groups_for
from .models import Area, Cluster, ImportBatch, LocalAuthority, Profile, PupilGroup, School
from .roles import ALL_LA_ROLES, IMPORT_ROLES, LA_WIDE_ROLES, UNSUPPRESSED_ROLES, Role, has_role


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


def compared_las(user) -> QuerySet[LocalAuthority]:
    """The LAs whose LA-level figures a user may set side by side on the all-LA page: every LA for a national
    officer; none for anyone else (an LA's own staff work in their LA, not across LAs)."""
    if not can_compare_las(user):
        return LocalAuthority.objects.none()
    return LocalAuthority.objects.order_by("name", "code")


def can_compare_las(user) -> bool:
    """National officers, and only they, open the all-LA page."""
    return bool(user) and has_role(user, *ALL_LA_ROLES)


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
    try:
        urn = int(urn)  # a URN typed into a query string may be anything: not a number is "not found", not a 500
    except (TypeError, ValueError):
        raise Http404("No such school.") from None
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


def working_la(user) -> LocalAuthority:
    """The LA whose pages a user works in: their overview LA for LA-wide roles, else the LA of the
    schools they may see (advisers, headteachers). 404 when they may see none."""
    if has_role(user, *LA_WIDE_ROLES):
        return default_la(user)
    profile = profile_of(user)
    schools = visible_schools(user)
    if profile and profile.la_id and schools.filter(la_id=profile.la_id).exists():
        return profile.la
    school = schools.order_by("name").first()
    if school is None:
        raise Http404("No schools to show.")
    return school.la


def visible_phases(user) -> list[str]:
    """The phases of the open schools a user may see (one query): which measures their pickers put first."""
    return sorted(set(visible_schools(user).filter(status="open").values_list("phase", flat=True)))


def import_la(user) -> str | None:
    """The LA code a user's imports of schools and results are limited to; ``None``: not limited.

    A data manager imports for their own LA; an administrator (and the command line, which has no user) for any.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser or has_role(user, Role.ADMINISTRATOR):
        return None
    profile = profile_of(user)
    if has_role(user, Role.DATA_MANAGER) and profile and profile.la_id:
        return profile.la.code
    return None


def can_see_la_wide(user) -> bool:
    """LA-wide roles work across the LA: the overview and the LA's own pages are theirs to open."""
    return bool(user) and has_role(user, *LA_WIDE_ROLES)


def can_import(user) -> bool:
    """Data managers and administrators load results, benchmarks and registers (and roll them back)."""
    return has_role(user, *IMPORT_ROLES)


def own_import_batches(user):
    """The imports ``user`` uploaded: the only ones whose progress feed they may read (anyone else's is 404)."""
    if not getattr(user, "is_authenticated", False):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(uploaded_by=user)


def sees_small_cohorts(user) -> bool:
    """LA officers and data managers see small-cohort figures; everyone else sees them suppressed."""
    return has_role(user, *UNSUPPRESSED_ROLES)


def disclosure_groups(user, codes, groups: dict[str, PupilGroup]) -> list[str]:
    """The groups to fetch so that ``for_user`` can decide about ``codes``: for roles that must not see
    small cohorts, every group linked to them through a partition (the same query, more rows)."""
    return disclosure_groups_for(codes, groups, viewer_sees_small_cohorts=sees_small_cohorts(user))


def assignable_users(user, la):
    """The people ``user`` may name in ``la`` (an action's lead): the one place every user picker asks.

    Never administrators (accounts that run the site, not school improvement), inactive accounts, or
    anyone without a role or outside ``la``. LA-wide roles may name anyone else in their LA; a headteacher or
    adviser the people linked to the schools they see: staff of those schools, the advisers covering them
    (assigned, or through the school's cluster or area) and the LA's officers."""
    User = get_user_model()
    if la is None or not visible_schools(user).filter(la=la).exists():
        return User.objects.none()
    admins = User.objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR)).values("pk")
    with_role = User.objects.filter(groups__name__in=[r for r in Role.values if r != Role.ADMINISTRATOR])
    people = User.objects.filter(
        Q(profile__la=la) | Q(profile__school__la=la),
        is_active=True,
        pk__in=with_role.values("pk"),
    ).exclude(pk__in=admins)
    if not has_role(user, *LA_WIDE_ROLES):
        schools = visible_schools(user).filter(la=la)
        advisers = User.objects.filter(groups__name=Role.ADVISER).filter(
            Q(profile__schools__in=schools)
            | Q(profile__cluster__in=schools.values("cluster"))
            | Q(profile__area__in=schools.values("area"))
        )
        officers = User.objects.filter(groups__name=Role.LA_OFFICER)
        people = people.filter(
            Q(profile__school__in=schools) | Q(pk__in=advisers.values("pk")) | Q(pk__in=officers.values("pk"))
        )
    return people.distinct().order_by("first_name", "last_name", "username")
