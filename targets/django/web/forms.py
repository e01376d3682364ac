"""The pages' forms, with the API's validation messages.

Rendered by the templates as ``<li>FIELD MESSAGE</li>`` (``username can't be blank``). Values are
kept exactly as typed (``strip=False``): the API stores what it is sent, and "blank" is the API's
rule (common.validation.is_blank: the Unicode White_Space set), not Python's str.strip().
"""
from django import forms
from django.contrib.auth import authenticate

from common.validation import BLANK, INVALID, is_blank

TAKEN = "has already been taken"
INVALID_LOGIN = "email or password is invalid"


class TextField(forms.CharField):
    """A required, non-blank string, kept verbatim. NUL is refused as ``is invalid`` (text
    columns cannot hold it; the API refuses it too)."""

    default_error_messages = {"required": BLANK, "null_characters_not_allowed": INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if self.required and is_blank(value):
            raise forms.ValidationError(self.error_messages["required"], code="required")


class RegisterForm(forms.Form):
    username = TextField()
    email = TextField()
    password = TextField(widget=forms.PasswordInput)  # PasswordInput never renders the value


class LoginForm(forms.Form):
    email = TextField()
    password = TextField(widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = None

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.user = authenticate(self.request, email=data["email"], password=data["password"])
            if self.user is None:
                raise forms.ValidationError(INVALID_LOGIN, code="invalid_login")
        return data


class ArticleForm(forms.Form):
    title = TextField()
    description = TextField()
    body = TextField(widget=forms.Textarea)
    # Space-separated; stored sorted and without duplicates, as the API's tagList.
    tags = forms.CharField(required=False, strip=False,
                           error_messages={"null_characters_not_allowed": INVALID})

    def clean_tags(self):
        return sorted(set(self.cleaned_data["tags"].split()))


class CommentForm(forms.Form):
    body = TextField(widget=forms.Textarea(attrs={"rows": 3}))
