"""API routes of the assistance app."""

urlpatterns = []
