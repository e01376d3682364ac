"""What every page view shares: 303 redirects, the sign-in requirement and the contract's 405."""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import mixins
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from common.views import method_not_allowed


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: after a POST the browser GETs the next page (Django's redirects are 302)."""

    status_code = 303


def safe_next(url):
    """``url`` when it is a local path, else ``/``. Django's url_has_allowed_host_and_scheme
    (with no allowed host) refuses schemes, hosts and their disguises; the contract adds: it
    starts with exactly one ``/`` and holds no backslash or control character."""
    if (url and url.startswith("/") and not url.startswith("//") and "\\" not in url
            and not any(ord(c) < 0x20 or ord(c) == 0x7f for c in url)
            and url_has_allowed_host_and_scheme(url, allowed_hosts=None)):
        return url
    return "/"


class PageView(View):
    """A page: an unsupported method is the contract's JSON 405 with ``Allow`` (§5)."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(self)


class LoginRequiredMixin(mixins.LoginRequiredMixin):
    """contrib.auth's mixin, answering 303 instead of 302: a signed-out GET goes to
    ``/login?next=PATH``, a signed-out POST (its CSRF token already checked) to ``/login``. A
    method the view does not handle is its 405 first, signed in or not (``GET /logout``)."""

    def dispatch(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self):
        url = settings.LOGIN_URL
        if self.request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": self.request.get_full_path()}, safe="/")
        return HttpResponseSeeOther(url)
