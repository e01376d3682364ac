"""Users and follows.

Not django.contrib.auth's user: the API needs no sessions, groups or permissions, and its user is
just these five fields. Passwords still go through Django's hasher framework (make_password /
check_password with settings.PASSWORD_HASHERS), which is what contrib.auth itself uses.
"""
from django.contrib.auth.hashers import check_password, make_password
from django.db import models


class User(models.Model):
    username = models.TextField(unique=True)
    email = models.TextField(unique=True)
    password = models.TextField()
    bio = models.TextField(null=True)
    image = models.TextField(null=True)

    class Meta:
        db_table = "users"

    def __str__(self):
        return self.username

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
