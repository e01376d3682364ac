"""CSRF protection for the web pages: Django's CsrfViewMiddleware, with two changes of order.

1. The token is read from the session in ``process_view`` (Django reads it in
   ``process_request``, for every request), once the view is known not to be ``csrf_exempt``.
   With CSRF_USE_SESSIONS, reading it loads the session: the API (csrf_exempt, token
   authentication), ``/plaintext``, ``/json`` and unknown paths would otherwise load any session
   cookie sent to them and answer ``Vary: Cookie``. Now they never touch the session.
2. Django checks the token before the view has a say, so a POST to a GET-only page (``POST /``)
   would be a CSRF 403. The contract answers a method a path does not support with 405 before
   anything else; a request the view will refuse anyway changes nothing, so the check is skipped
   for it and the view answers 405.

Everything else is Django's: tokens in the session (CSRF_USE_SESSIONS), the
``csrfmiddlewaretoken`` field, csrf_exempt, rotate_token() at login, CSRF_FAILURE_VIEW.
"""
from django.middleware import csrf

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _handles(callback, method):
    view_class = getattr(callback, "view_class", None)
    if view_class is None or method in SAFE_METHODS:  # a function view: let Django decide
        return True
    name = method.lower()
    return name in view_class.http_method_names and hasattr(view_class, name)


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    def process_request(self, request):
        return None  # deferred to process_view (1. above)

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if getattr(callback, "csrf_exempt", False):
            return None
        super().process_request(request)
        if not _handles(callback, request.method):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)
