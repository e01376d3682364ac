"""URL configuration: the API under /api, the overhead endpoints and the web pages (web/urls.py).

No pattern ends in a slash and APPEND_SLASH is off: ``/api/user/`` is an unknown path (404),
never a redirect.
"""
from django.urls import include, path, register_converter

from common import views as common_views
from common.paths import SegmentConverter
from web import errors as web_errors

# One path segment, "%2F" inside it included (see common/paths.py); used by the API's patterns.
register_converter(SegmentConverter, "segment")

urlpatterns = [
    path("plaintext", common_views.PlaintextView.as_view()),
    path("json", common_views.JsonView.as_view()),
    path("api/", include("accounts.urls")),
    path("api/", include("articles.urls")),
    path("", include("web.urls")),
]

handler400 = common_views.bad_request
# JSON for the API and unknown paths, HTML for the pages (web/errors.py).
handler403 = web_errors.forbidden
handler404 = web_errors.not_found
handler500 = common_views.server_error
