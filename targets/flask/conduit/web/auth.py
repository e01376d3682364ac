"""Register, sign in, sign out: /register, /login, /logout."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..models import hash_password, verify_password
from ..repository import repo
from ..users import commit_user
from . import bp
from .forms import LoginForm, RegisterForm
from .session import is_local_path, sign_in, sign_out

SIGNED_IN = "Signed in."
SIGNED_OUT = "Signed out."
INVALID_CREDENTIALS = "email or password is invalid"


def form_page(template, form, **context):
    """The form's page: 200 when asked for, 422 when what was sent failed."""
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


@bp.route("/register", methods=("GET", "POST"))
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        password_hash = hash_password(form.password.data)  # bcrypt before the write lock
        username, email = form.username.data, form.email.data
        # The duplicate check and the insert are one atomic step (conduit.users).
        user, taken = commit_user(lambda: repo.create_user(username, email, password_hash), username, email)
        if not taken:
            sign_in(user)
            flash(SIGNED_IN)
            return redirect(url_for("web.home"), 303)
        for name, messages in taken.items():
            form[name].errors.extend(messages)
    return form_page("register.html", form)


@bp.route("/login", methods=("GET", "POST"))
def login():
    # ?next= fills the hidden field on the first visit; the form keeps it after.
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = repo.user_by_email(form.email.data)
        if user is not None and verify_password(form.password.data, user.password_hash):
            sign_in(user)
            flash(SIGNED_IN)
            target = form.next.data
            return redirect(target if is_local_path(target) else url_for("web.home"), 303)
        form.form_errors.append(INVALID_CREDENTIALS)
    return form_page("login.html", form)


@bp.post("/logout")
@login_required
def logout():
    sign_out()
    flash(SIGNED_OUT)
    return redirect(url_for("web.home"), 303)
