"""Register, sign in, sign out: /register, /login, /logout.

bcrypt runs in the thread pool as in the API (routers/users.py), outside any
transaction; the duplicate check and the insert share one write lock.
"""
from fastapi import APIRouter, Depends, Request
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from ..repository import Repository, get_repo
from ..routers.users import taken_fields, taken_after_race
from ..security import hash_password, verify_password
from .csrf import csrf_protect
from .forms import LoginForm, RegisterForm
from .sessions import safe_next, sign_in, sign_out, web_user
from .templating import SeeOther, flash, render

router = APIRouter(dependencies=[Depends(web_user)])

TAKEN = "has already been taken"
BAD_CREDENTIALS = "email or password is invalid"


@router.get("/register")
async def register_page(request: Request):
    return render(request, "register.html", values={}, errors=[])


@router.post("/register", dependencies=[Depends(csrf_protect)])
async def register(request: Request, form: RegisterForm = Depends(), repo: Repository = Depends(get_repo)):
    errors = form.errors()
    if not errors:
        new = form.parse()
        password_hash = await run_in_threadpool(hash_password, new.password)  # before the write lock
        repo.lock()  # the duplicate check and the insert are one atomic step (SQLite)
        errors = [f"{field} {TAKEN}" for field in taken_fields(repo, new.username, new.email)]
        if errors:
            repo.rollback()  # release the write lock before rendering
        else:
            try:
                user = repo.create_user(new.username, new.email, password_hash)
            except IntegrityError as error:  # PostgreSQL: taken meanwhile (routers/users.py)
                errors = [f"{field} {TAKEN}" for field in taken_after_race(repo, error, new.username, new.email)]
    if errors:
        return render(request, "register.html", 422, values=form.shown(), errors=errors)
    sign_in(request, repo, user)
    await repo.commit()
    flash(request, "Signed in.")
    return SeeOther("/")


@router.get("/login")
async def login_page(request: Request, next: str = ""):
    return render(request, "login.html", values={}, errors=[], next=next)


@router.post("/login", dependencies=[Depends(csrf_protect)])
async def login(request: Request, form: LoginForm = Depends(), repo: Repository = Depends(get_repo)):
    # The form keeps next in a hidden input; a form posted to /login?next=... works too.
    next_path = form.next or request.query_params.get("next", "")
    errors = form.errors()
    if not errors:
        credentials = form.parse()
        user = repo.user_by_email(credentials.email)
        if user is None or not await run_in_threadpool(verify_password, credentials.password, user.password_hash):
            errors = [BAD_CREDENTIALS]
    if errors:
        return render(request, "login.html", 422, values=form.shown(), errors=errors, next=next_path)
    sign_in(request, repo, user)
    await repo.commit()
    flash(request, "Signed in.")
    return SeeOther(safe_next(next_path))


@router.post("/logout", dependencies=[Depends(csrf_protect)])
async def logout(request: Request, user=Depends(web_user), repo: Repository = Depends(get_repo)):
    if user is None:  # nobody to sign out (or a replayed cookie): like every signed-out POST
        return SeeOther("/login")
    sign_out(request, repo)
    await repo.commit()
    flash(request, "Signed out.")
    return SeeOther("/")
