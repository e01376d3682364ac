"""The web app (contract section 7): server-rendered pages with forms,
cookie sessions, CSRF protection and flash messages, beside the JSON API.

- ``sessions``: Starlette's signed-cookie ``SessionMiddleware``, scoped to the
  pages, plus the server-side session rows that make logout final;
- ``csrf``: the per-session token and the ``csrf_protect`` dependency;
- ``forms``: form data as dependencies (``Form(...)``), validated with the
  API's pydantic models and messages;
- ``templating``: ``Jinja2Templates`` with the nav's user, flash messages and
  the CSRF input available to every template;
- ``errors``: the pages' 303 / 403 / 404 exceptions and their HTML handlers;
- ``auth`` and ``articles``: the routers.
"""
