"""API routes of the comparison app."""

urlpatterns = []
