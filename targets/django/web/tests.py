"""The web app's own tests (``manage.py test web``; ctests targets/django-web and
targets/django-raw-web run them on both data layers). specs/web checks section 7 from outside;
these pin what is Django-specific: the CSRF middleware's order, the session read only by the
pages, logout deleting the session row, the ``next`` rules."""
import re

from django.contrib.sessions.models import Session
from django.test import Client, TestCase

from common.repository import repo

from .mixins import safe_next

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class WebAppTests(TestCase):
    def setUp(self):
        self.browser = Client(enforce_csrf_checks=True)

    def token(self, path="/login", client=None):
        page = (client or self.browser).get(path)
        self.assertEqual(page.status_code, 200)
        return CSRF_INPUT.search(page.content.decode()).group(1)

    def register(self, name, client=None):
        client = client or self.browser
        response = client.post("/register", {"csrfmiddlewaretoken": self.token("/register", client),
                                             "username": name, "email": f"{name}@example.com",
                                             "password": "correct-horse"})
        self.assertEqual((response.status_code, response["Location"]), (303, "/"))

    def publish(self, title="A title"):
        response = self.browser.post("/editor", {"csrfmiddlewaretoken": self.token("/editor"),
                                                 "title": title, "description": "d", "body": "b",
                                                 "tags": "b a b"})
        self.assertEqual(response.status_code, 303)
        return response["Location"].rsplit("/", 1)[1]

    def test_register_signs_in_with_one_flash(self):
        self.register("alice")
        first = self.browser.get("/").content.decode()
        self.assertEqual(first.count('<div class="flash">Signed in.</div>'), 1)
        self.assertIn('<span class="user">alice</span>', first)
        self.assertNotIn('class="flash"', self.browser.get("/").content.decode())

    def test_post_without_csrf_is_a_403_page_and_changes_nothing(self):
        self.browser.get("/register")
        response = self.browser.post("/register", {"username": "mallory", "email": "m@example.com",
                                                   "password": "x"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
        self.assertIn("<h1>Forbidden</h1>", response.content.decode())
        self.assertIsNone(repo.user_by_username("mallory"))

    def test_csrf_before_sign_in_and_method_before_csrf(self):
        self.assertEqual(self.browser.post("/editor", {"title": "x"}).status_code, 403)
        response = self.browser.post("/", {})
        self.assertEqual((response.status_code, response["Allow"]), (405, "GET"))
        self.assertEqual(response.json(), {"errors": {"method": ["not allowed"]}})
        # Only POST changes state: a GET on a POST-only page is its 405, signed in or not.
        for path in ("/logout", "/article/x/delete", "/article/x/comments/1/delete"):
            response = self.browser.get(path)
            self.assertEqual((response.status_code, response["Allow"]), (405, "POST"), path)

    def test_signed_out_redirects_are_303(self):
        response = self.browser.get("/editor?a=1")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], "/login?next=/editor%3Fa%3D1")
        response = self.browser.post("/editor", {"csrfmiddlewaretoken": self.token()})
        self.assertEqual((response.status_code, response["Location"]), (303, "/login"))

    def test_logout_deletes_the_session_row(self):
        self.register("bob")
        old = self.browser.cookies["sessionid"].value
        self.assertTrue(Session.objects.filter(session_key=old).exists())
        response = self.browser.post("/logout", {"csrfmiddlewaretoken": self.token("/")})
        self.assertEqual((response.status_code, response["Location"]), (303, "/"))
        self.assertFalse(Session.objects.filter(session_key=old).exists())
        replay = Client()
        replay.cookies["sessionid"] = old
        self.assertEqual(replay.get("/editor").status_code, 303)

    def test_login_cycles_the_session_key(self):
        self.register("carol")
        self.browser.post("/logout", {"csrfmiddlewaretoken": self.token("/")})
        token = self.token("/login")
        before = self.browser.cookies["sessionid"].value
        response = self.browser.post("/login", {"csrfmiddlewaretoken": token, "next": "/editor",
                                                "email": "carol@example.com", "password": "correct-horse"})
        self.assertEqual((response.status_code, response["Location"]), (303, "/editor"))
        self.assertNotEqual(self.browser.cookies["sessionid"].value, before)
        self.assertFalse(Session.objects.filter(session_key=before).exists())

    def test_the_api_and_overhead_endpoints_never_touch_the_session(self):
        self.register("dave")
        for path in ("/plaintext", "/json", "/api/tags", "/api/user", "/no/such/path"):
            response = self.browser.get(path)
            self.assertFalse(response.has_header("Vary"), path)
            self.assertNotIn("sessionid", response.cookies, path)
        self.assertEqual(self.browser.get("/api/user").json(), {"errors": {"token": ["is missing"]}})

    def test_author_only_and_unknown_pages(self):
        self.register("erin")
        slug = self.publish()
        self.assertEqual(repo.article_by_slug(slug, None)["tagList"], ["a", "b"])
        other = Client(enforce_csrf_checks=True)
        self.register("frank", other)
        response = other.post(f"/article/{slug}/delete", {"csrfmiddlewaretoken": self.token("/", other)})
        self.assertEqual(response.status_code, 403)
        self.assertIn("<h1>Forbidden</h1>", response.content.decode())
        response = other.get("/article/no-such-slug")
        self.assertEqual(response.status_code, 404)
        self.assertIn("<h1>Not Found</h1>", response.content.decode())
        response = self.browser.post(f"/article/{slug}/delete", {"csrfmiddlewaretoken": self.token("/")})
        self.assertEqual((response.status_code, response["Location"]), (303, "/"))
        self.assertIsNone(repo.article_by_slug(slug, None))

    def test_next_must_be_a_local_path(self):
        for url in ("/editor", "/article/x?a=1", "/%2F%2Fevil"):
            self.assertEqual(safe_next(url), url)
        for url in ("", "//evil.com", "///evil.com", "/\\evil.com", "\\\\evil.com", "http://evil.com",
                    "https:evil.com", "javascript:alert(1)", "evil.com", "/\t/evil.com", " //evil.com"):
            self.assertEqual(safe_next(url), "/", url)
