"""The pages' errors, raised by dependencies and routes and answered by the
handlers in ``handlers.py`` (the API's errors stay JSON, app/errors.py):

- :class:`LoginRequired`: 303 to the login page;
- :class:`PageNotFound` (404), :class:`PageForbidden` (403) and
  :class:`CSRFError` (403): an HTML page with the usual layout.
"""


class LoginRequired(Exception):
    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class PageError(Exception):
    status_code = 500
    title = "Error"
    message = ""


class PageNotFound(PageError):
    status_code = 404
    title = "Not Found"
    message = "There is no such page."


class PageForbidden(PageError):
    status_code = 403
    title = "Forbidden"
    message = "Only its author can change this."


class CSRFError(PageForbidden):
    message = (
        "The form was not sent from this site's page, or the session it came from has ended."
        " Go back, reload the page and try again."
    )
