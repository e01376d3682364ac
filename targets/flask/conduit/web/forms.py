"""The web forms (Flask-WTF), validated with the API's rules and messages.

Every form carries Flask-WTF's hidden ``csrf_token``. A failed form is shown
again with ``<li>FIELD MESSAGE</li>`` per error in field order
(:meth:`Form.error_messages`), the messages the API uses in its 422 answers:
"can't be blank" for a missing or whitespace-only value (the API's notion of
whitespace, ``conduit.payload``), "has already been taken" for a username or
email in use (added by the view, which checks under the write lock).
"""
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation
from wtforms.widgets import TextArea, html_params

from ..payload import BLANK, INVALID, WHITESPACE, is_blank


class NotBlank:
    """Required, and not whitespace only (the API's rule for every text field).
    Sets the ``required`` flag, so the input is rendered ``required``."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        if is_blank(field.data):
            raise StopValidation(BLANK)


# parity-ruling: begin web-4 NUL refused in forms as in JSON (ruling 2)
class Storable:
    """No NUL character: the API refuses it in JSON (ruling 2), the form too."""

    def __call__(self, form, field):
        if field.data and "\0" in field.data:
            raise StopValidation(INVALID)
# parity-ruling: end


class ExactTextArea(TextArea):
    """WTForms writes a newline before the text, which HTML5 parsers drop but
    others (libxml2's HTML parser) keep as part of the value: here the value
    follows the tag directly."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and getattr(field.flags, "required", False):
            kwargs["required"] = True
        return Markup(f"<textarea {html_params(name=field.name, **kwargs)}>{escape(field._value())}</textarea>")


def text(label, textarea=False):
    field = TextAreaField if textarea else StringField
    options = {"widget": ExactTextArea()} if textarea else {}
    return field(label, [NotBlank(), Storable()], **options)


class Form(FlaskForm):
    def error_messages(self):
        """Form-wide errors, then "FIELD MESSAGE" for each field in order."""
        messages = list(self.form_errors)
        for field in self:
            messages.extend(f"{field.name} {message}" for message in field.errors)
        return messages


class RegisterForm(Form):
    username = text("Username")
    email = EmailField("Email", [NotBlank(), Storable()])
    password = PasswordField("Password", [NotBlank(), Storable()])  # never rendered back


class LoginForm(Form):
    email = EmailField("Email", [NotBlank(), Storable()])
    password = PasswordField("Password", [NotBlank(), Storable()])
    # Where to go once signed in (checked by the view); kept across failed attempts.
    next = HiddenField()


class ArticleForm(Form):
    title = text("Title")
    description = text("What's this article about?")
    body = text("Write your article", textarea=True)
    tags = StringField("Tags (separated by spaces)", [Storable()])

    def tag_names(self):
        """The tags field split on whitespace, sorted and without duplicates,
        as the API stores a tagList."""
        return sorted(set((self.tags.data or "").translate(_SPLIT_WHITESPACE).split(" ")) - {""})


class CommentForm(Form):
    body = text("Write a comment", textarea=True)


# Every whitespace character of the API's rule (conduit.payload) counts as a separator.
_SPLIT_WHITESPACE = {ord(char): " " for char in WHITESPACE}
