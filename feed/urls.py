from rest_framework.routers import SimpleRouter

from . import views

app_name = "feed"

router = SimpleRouter()
router.register("figures/las", views.LAFigures, basename="la-figures")
router.register("figures/areas", views.AreaFigures, basename="area-figures")
router.register("figures/clusters", views.ClusterFigures, basename="cluster-figures")
router.register("figures/schools", views.SchoolFigures, basename="school-figures")

urlpatterns = router.urls
