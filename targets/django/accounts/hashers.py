"""bcrypt with cost 10, the cost every parity target uses (Django's default is 12)."""
from django.contrib.auth.hashers import BCryptPasswordHasher


class BCryptCost10PasswordHasher(BCryptPasswordHasher):
    rounds = 10

    def encode(self, password, salt):
        # python-bcrypt refuses NUL bytes (ValueError, a 500) where C's crypt() stops at the
        # first one; cut there too, as the other targets do, so no password can crash a
        # request. verify() goes through encode(), so both sides agree.
        return super().encode(password.split("\0", 1)[0], salt)
