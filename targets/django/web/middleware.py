"""CSRF protection for the web pages: Django's CsrfViewMiddleware, with one change of order.

Django checks the token in ``process_view``, before the view has a say, so a POST to a GET-only
page (``POST /``) would be a CSRF 403. The contract answers a method a path does not support
with 405 before anything else; a request the view will refuse anyway changes nothing, so the
check is skipped for it and the view answers 405. Everything else is Django's: tokens in the
session (CSRF_USE_SESSIONS), the ``csrfmiddlewaretoken`` field, csrf_exempt (the API),
CSRF_FAILURE_VIEW.
"""
from django.middleware import csrf


def _handles(callback, method):
    view_class = getattr(callback, "view_class", None)
    if view_class is None:  # a function view: let Django decide
        return True
    name = method.lower()
    return name in view_class.http_method_names and hasattr(view_class, name)


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        if not _handles(callback, request.method):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)
