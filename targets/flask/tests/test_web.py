"""The web app's own tests (conduit.web), through Flask's test client.

Usage (from targets/flask): [DATA_LAYER=sql] /usr/bin/python3 -m unittest discover -s tests -v
(ctests targets/flask-web and targets/flask-raw-web). Each test gets a throw-away SQLite file.

What they pin down is what this target adds to Flask's defaults, beside what specs/web checks
from outside: CSRF before sign-in and validation, 303s (Flask-Login's are 302), the session
holding Flask-Login's alternative token rather than the user id and losing it at sign-out or on a
password change, the API and the pages each ignoring the other's credentials, and the rule for
``next``.
"""
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import text  # noqa: E402

from conduit import create_app  # noqa: E402
from conduit.config import Config  # noqa: E402
from conduit.database import init_db  # noqa: E402
from conduit.extensions import db  # noqa: E402
from conduit.web.session import is_local_path  # noqa: E402

PASSWORD = "correct-horse-9"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')


class WebTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.app = self.make_app("flask-web-test")
        with self.app.app_context():
            init_db()
        self.client = self.app.test_client()

    def make_app(self, secret_key):
        class TestConfig(Config):
            SECRET_KEY = secret_key
            SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(self.tmp.name, "web.db")
            BCRYPT_ROUNDS = 4

        return create_app(TestConfig)

    def tearDown(self):
        self.tmp.cleanup()

    # helpers -----------------------------------------------------------------

    def csrf(self, path="/login", client=None):
        page = (client or self.client).get(path).get_data(as_text=True)
        match = _CSRF.search(page)
        self.assertIsNotNone(match, f"no CSRF input on {path}")
        return match.group(1) or match.group(2)

    def post(self, path, data, client=None, token_page="/login"):
        client = client or self.client
        return client.post(path, data=dict(data, csrf_token=self.csrf(token_page, client)))

    def register(self, name, client=None):
        data = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        response = self.post("/register", data, client, "/register")
        self.assertEqual(response.status_code, 303)
        return response

    def publish(self, title="T", tags="", client=None):
        data = {"title": title, "description": "d", "body": "b", "tags": tags}
        response = self.post("/editor", data, client, "/editor")
        self.assertEqual(response.status_code, 303)
        return response.headers["Location"].rsplit("/", 1)[1]

    def signed_in_as(self, client=None):
        page = (client or self.client).get("/").get_data(as_text=True)
        match = re.search(r'<span class="user">([^<]*)</span>', page)
        return match.group(1) if match else None

    def session_value(self, client=None):
        for cookie in (client or self.client).cookie_jar:
            if cookie.name == "session":
                return cookie.value
        return None

    def stored_token(self, username):
        with self.app.app_context():
            query = text("SELECT session_token FROM users WHERE username = :name")
            return db.session.execute(query, {"name": username}).scalar()

    def api_token(self, username):
        body = {"user": {"email": f"{username}@example.com", "password": PASSWORD}}
        return self.client.post("/api/users/login", json=body).json["user"]["token"]

    def count(self, sql):
        with self.app.app_context():
            return db.session.execute(text(sql)).scalar()


class CsrfTests(WebTestCase):
    def test_a_post_without_the_token_is_a_403_page_before_sign_in(self):
        response = self.client.post("/editor", data={"title": "x", "description": "d", "body": "b"})
        self.assertEqual(response.status_code, 403)  # not the 303 to /login
        self.assertEqual(response.content_type, "text/html; charset=utf-8")
        self.assertIn("<h1>Forbidden</h1>", response.get_data(as_text=True))

    def test_a_token_from_another_session_is_refused_and_changes_nothing(self):
        other = self.app.test_client()
        token = self.csrf("/register", other)
        response = self.client.post(
            "/register", data={"csrf_token": token, "username": "eve", "email": "e@x", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.count("SELECT count(*) FROM users"), 0)

    def test_csrf_comes_before_validation(self):
        response = self.client.post("/register", data={"csrf_token": "forged", "username": ""})
        self.assertEqual(response.status_code, 403)

    def test_the_api_needs_no_csrf_token(self):
        body = {"user": {"username": "api", "email": "api@example.com", "password": PASSWORD}}
        self.assertEqual(self.client.post("/api/users", json=body).status_code, 201)


class AccessTests(WebTestCase):
    def test_a_signed_out_get_is_a_303_to_login_with_next(self):
        response = self.client.get("/editor/some-slug?x=1")
        self.assertEqual(response.status_code, 303)  # Flask-Login's default is 302
        self.assertEqual(response.headers["Location"], "/login?next=%2Feditor%2Fsome-slug%3Fx%3D1")
        self.assertNotIn('class="flash"', self.client.get("/login").get_data(as_text=True))  # no "Please log in"

    def test_a_signed_out_post_with_a_valid_token_is_a_303_to_login_without_next(self):
        response = self.post("/editor", {"title": "x", "description": "d", "body": "b"})
        self.assertEqual((response.status_code, response.headers["Location"]), (303, "/login"))
        self.assertEqual(self.count("SELECT count(*) FROM articles"), 0)

    def test_only_the_author_edits_and_an_unknown_slug_is_a_404_page(self):
        self.register("alice")
        slug = self.publish()
        bob = self.app.test_client()
        self.register("bob", bob)
        self.assertEqual(bob.get(f"/editor/{slug}").status_code, 403)
        data = {"title": "", "description": "d", "body": "b"}  # 403 before 422
        self.assertEqual(self.post(f"/editor/{slug}", data, bob).status_code, 403)
        response = bob.get("/article/no-such-slug")
        self.assertEqual(response.status_code, 404)
        self.assertIn("<h1>Not Found</h1>", response.get_data(as_text=True))


class SessionTests(WebTestCase):
    def test_the_cookie_is_httponly_samesite_lax_path_root(self):
        response = self.register("alice")
        header = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
        attributes = {part.strip().split("=")[0].lower(): part for part in header.split(";")}
        self.assertIn("httponly", attributes)
        self.assertEqual(attributes["samesite"].strip(), "SameSite=Lax")
        self.assertEqual(attributes["path"].strip(), "Path=/")

    def test_the_session_holds_the_alternative_token_not_the_user_id(self):
        self.register("alice")
        with self.client.session_transaction() as session:
            self.assertEqual(session["_user_id"], self.stored_token("alice"))
        self.assertEqual(len(self.stored_token("alice")), 43)  # token_urlsafe(32)

    def test_a_cookie_replayed_after_logout_is_signed_out(self):
        self.register("alice")
        before = self.session_value()
        self.assertEqual(self.post("/logout", {}, token_page="/").headers["Location"], "/")
        self.assertIsNone(self.stored_token("alice"))
        replay = self.app.test_client()
        replay.set_cookie("localhost", "session", before)
        self.assertIsNone(self.signed_in_as(replay))
        self.assertEqual(replay.get("/editor").status_code, 303)

    def test_signing_in_again_makes_a_new_token(self):
        self.register("alice")
        first = self.stored_token("alice")
        self.post("/logout", {}, token_page="/")
        self.post("/login", {"email": "alice@example.com", "password": PASSWORD})
        self.assertEqual(self.signed_in_as(), "alice")
        self.assertNotIn(self.stored_token("alice"), (None, first))

    def test_a_password_change_through_the_api_ends_the_web_sessions(self):
        self.register("alice")
        headers = {"Authorization": "Token " + self.api_token("alice")}
        self.client.put("/api/user", json={"user": {"bio": "new bio"}}, headers=headers)
        self.assertEqual(self.signed_in_as(), "alice")  # other changes keep them
        self.client.put("/api/user", json={"user": {"password": "another-pass-1"}}, headers=headers)
        self.assertIsNone(self.signed_in_as())

    def test_the_api_ignores_the_cookie_and_the_pages_ignore_authorization(self):
        self.register("alice")
        self.assertEqual(self.client.get("/api/user").status_code, 401)
        token = self.api_token("alice")
        stranger = self.app.test_client()
        response = stranger.get("/editor", headers={"Authorization": "Token " + token})
        self.assertEqual(response.status_code, 303)

    def test_the_api_neither_reads_nor_sets_the_session(self):
        self.register("alice")
        response = self.client.get("/api/tags")
        self.assertNotIn("Set-Cookie", response.headers)
        self.assertNotIn("Cookie", response.headers.get("Vary", ""))

    def test_a_session_signed_with_another_key_is_signed_out(self):
        self.register("alice")
        contents = {"_user_id": self.stored_token("alice"), "_fresh": True}
        for key, expected in (("flask-web-test", "alice"), ("another-key", None)):
            app = self.make_app(key)
            cookie = app.session_interface.get_signing_serializer(app).dumps(contents)
            stranger = self.app.test_client()
            stranger.set_cookie("localhost", "session", cookie)
            self.assertEqual(self.signed_in_as(stranger), expected, key)

    def test_a_tampered_cookie_is_signed_out(self):
        self.register("alice")
        stranger = self.app.test_client()
        stranger.set_cookie("localhost", "session", "x" + self.session_value())
        self.assertIsNone(self.signed_in_as(stranger))


class FormTests(WebTestCase):
    def test_a_failed_form_is_422_with_the_apis_messages_and_no_password(self):
        self.register("alice")
        self.post("/logout", {}, token_page="/")
        data = {"username": "alice", "email": "alice@example.com", "password": "secret-pw-1"}
        response = self.post("/register", data, token_page="/register")
        page = response.get_data(as_text=True)
        self.assertEqual(response.status_code, 422)
        self.assertIn(
            "<li>username has already been taken</li><li>email has already been taken</li>",
            page.replace("\n", ""),
        )
        self.assertIn('value="alice@example.com"', page)
        self.assertNotIn("secret-pw-1", page)

    def test_wrong_credentials(self):
        self.register("alice")
        self.post("/logout", {}, token_page="/")
        response = self.post("/login", {"email": "alice@example.com", "password": "wrong-password"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("<li>email or password is invalid</li>", response.get_data(as_text=True))

    def test_whitespace_is_blank_as_in_the_api(self):
        self.register("alice")
        data = {"title": "\u3000\t", "description": "d", "body": "b"}
        response = self.post("/editor", data, token_page="/editor")
        self.assertEqual(response.status_code, 422)
        self.assertIn("<li>title can&#39;t be blank</li>", response.get_data(as_text=True))

    def test_tags_are_stored_sorted_and_unique_and_prefilled_so(self):
        self.register("alice")
        slug = self.publish(tags="zeta alpha  zeta beta")
        self.assertEqual(self.client.get(f"/api/articles/{slug}").json["article"]["tagList"], ["alpha", "beta", "zeta"])
        self.assertIn('value="alpha beta zeta"', self.client.get(f"/editor/{slug}").get_data(as_text=True))

    def test_publish_then_flash_once(self):
        self.register("alice")
        self.client.get("/")  # the sign-in flash
        slug = self.publish()
        page = self.client.get(f"/article/{slug}").get_data(as_text=True)
        self.assertEqual(page.count('<div class="flash">'), 1)
        self.assertIn('<div class="flash">Article published.</div>', page)
        self.assertNotIn('class="flash"', self.client.get(f"/article/{slug}").get_data(as_text=True))


class NextTests(WebTestCase):
    def test_local_paths_only(self):
        for target in ("/", "/editor", "/article/a?x=1", "/a%2F%2Fb"):
            self.assertTrue(is_local_path(target), target)
        for target in ("", "//evil.com", "/\\evil.com", "\\\\evil.com", "http://evil.com", "https:evil.com",
                       "javascript:alert(1)", "evil.com", "/\t/evil.com", " //evil.com", "/a b", None):
            self.assertFalse(is_local_path(target), repr(target))

    def test_login_follows_a_local_next_kept_by_the_form(self):
        self.register("alice")
        self.post("/logout", {}, token_page="/")
        credentials = {"email": "alice@example.com", "password": PASSWORD}
        self.assertIn('name="next" type="hidden" value="/editor"', self.client.get("/login?next=/editor").get_data(as_text=True))
        response = self.post("/login", dict(credentials, next="/editor"), token_page="/login?next=/editor")
        self.assertEqual(response.headers["Location"], "/editor")
        self.post("/logout", {}, token_page="/")
        response = self.post("/login?next=//evil.com", credentials)  # next from the query alone
        self.assertEqual(response.headers["Location"], "/")


if __name__ == "__main__":
    unittest.main()
