"""Users and follows.

Not a subclass of django.contrib.auth's AbstractBaseUser: the API's user is just these five
fields (no last_login, groups or permissions columns). It is still the project's
``AUTH_USER_MODEL``: it carries what django.contrib.auth asks of a custom user model
(USERNAME_FIELD, REQUIRED_FIELDS, is_authenticated / is_anonymous, get_session_auth_hash), so the
web pages sign in with contrib.auth's login() / logout() / get_user() and the
``accounts.backends.EmailBackend``. Passwords go through Django's hasher framework
(make_password / check_password with settings.PASSWORD_HASHERS), as contrib.auth does.
"""
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.crypto import salted_hmac


class User(models.Model):
    username = models.TextField(unique=True)
    email = models.TextField(unique=True)
    password = models.TextField()
    bio = models.TextField(null=True)
    image = models.TextField(null=True)

    # django.contrib.auth's custom user model protocol (no column behind any of these).
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]
    is_active = True

    class Meta:
        db_table = "users"

    def __str__(self):
        return self.username

    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_session_auth_hash(self):
        """AbstractBaseUser's: an HMAC of the password hash, kept in the session at login and
        checked by contrib.auth on every request, so a password change (PUT /api/user) signs the
        user's web sessions out."""
        return salted_hmac("accounts.User.get_session_auth_hash", self.password,
                           algorithm="sha256").hexdigest()

    def set_password(self, raw_password):
        self.password = make_password(raw_password)

    def check_password(self, raw_password):
        return check_password(raw_password, self.password)


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "follows"
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follows_unique"),
        ]
        indexes = [models.Index(fields=["followee"], name="follows_followee")]
