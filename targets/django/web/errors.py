"""Error pages. The API answers errors in JSON (common/views.py); a page's 403 and 404 (a view
of the ``web`` namespace raised PermissionDenied or Http404) and a CSRF failure are HTML pages.
An unknown path stays the contract's JSON 404 (section 5)."""
from django.shortcuts import render

from common import views as api


def _is_page(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace == "web"


def forbidden(request, exception=None):
    if _is_page(request):
        return render(request, "web/403.html", status=403)
    return api.permission_denied(request, exception)


def not_found(request, exception=None):
    if _is_page(request):
        return render(request, "web/404.html", status=404)
    return api.route_not_found(request, exception)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a missing, wrong or other session's token."""
    return render(request, "web/403.html", {"csrf": True}, status=403)
