"""Pages of the assistance app."""

urlpatterns = []
