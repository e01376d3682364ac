"""URL configuration: the API under /api, the overhead endpoints and the HTML page.

No pattern ends in a slash and APPEND_SLASH is off: ``/api/user/`` is an unknown path (404),
never a redirect.
"""
from django.urls import include, path, register_converter

from articles.views import HomePageView
from common import views as common_views
from common.paths import SegmentConverter

# One path segment, "%2F" inside it included (see common/paths.py); used by the API's patterns.
register_converter(SegmentConverter, "segment")

urlpatterns = [
    path("plaintext", common_views.PlaintextView.as_view()),
    path("json", common_views.JsonView.as_view()),
    path("api/", include("accounts.urls")),
    path("api/", include("articles.urls")),
    path("", HomePageView.as_view()),
]

handler400 = common_views.bad_request
handler403 = common_views.permission_denied
handler404 = common_views.route_not_found
handler500 = common_views.server_error
