"""Import pages (data managers and administrators). Included under /imports/ in the schools namespace."""
urlpatterns = []
