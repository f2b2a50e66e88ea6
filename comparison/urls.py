"""Pages of the comparison app."""

urlpatterns = []
