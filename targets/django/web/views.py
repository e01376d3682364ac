"""The pages (contract section 7): home, register, login, logout, the editor, the article with
its comments.

Class-based views on the data layer the API uses (``common.repository.repo``), so both variants
(django: ORM, django-raw: SQL) serve them. Order of checks, as in the API: CSRF (the middleware,
before the view), sign-in (LoginRequiredMixin: 303 to the login page), existence (404 page),
ownership (403 page), then the form (422, re-rendered). Every success is a 303 with a flash.
"""
import re

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from accounts.backends import as_user
from articles.views import publish_article
from common.repository import repo

from .forms import TAKEN, ArticleForm, CommentForm, LoginForm, RegisterForm
from .mixins import HttpResponseSeeOther, LoginRequiredMixin, PageView, safe_next

UNPROCESSABLE = 422
# A comment id is digits only, at most 18 of them (as the API's).
_COMMENT_ID = re.compile(r"[0-9]{1,18}")


def _sign_in(request, user):
    """contrib.auth's login(): a new session key (no fixation), the user id and the password
    hash's HMAC in the session, a fresh CSRF token."""
    login(request, user, backend="accounts.backends.EmailBackend")
    messages.success(request, "Signed in.")


class HomeView(PageView):
    """The newest articles, newest first, linking to their pages; the table is the contract's
    section 4 page (title, author, createdAt), unchanged for the conformance suites."""

    def get(self, request):
        return render(request, "web/home.html", {"articles": repo.latest_titles(20)})


class RegisterView(PageView):
    def get(self, request):
        return render(request, "web/register.html", {"form": RegisterForm()})

    def post(self, request):
        form = RegisterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            password_hash = make_password(data["password"])  # bcrypt before the write lock
            user = self._create(form, data["username"], data["email"], password_hash)
            if user is not None:
                _sign_in(request, as_user(user))
                return HttpResponseSeeOther("/")
        return render(request, "web/register.html", {"form": form}, status=UNPROCESSABLE)

    @staticmethod
    def _create(form, username, email, password_hash):
        """The new user, or None with ``has already been taken`` on the form (the duplicate
        check and the insert in one BEGIN IMMEDIATE transaction, as the API's)."""
        try:
            with transaction.atomic():
                taken = repo.taken_fields(username, email)
                if not taken:
                    return repo.create_user(username, email, password_hash)
        except IntegrityError:
            # The unique indexes are the last line of defence (a concurrent registration on
            # PostgreSQL, a writer outside this code path): report whichever field now clashes.
            taken = repo.taken_fields(username, email)
            if not taken:
                raise
        for field in taken:
            form.add_error(field, TAKEN)
        return None


class LoginView(PageView):
    """``next`` travels in a hidden field (or the query string) and is followed only when it is
    a local path."""

    def get(self, request):
        next_url = request.GET.get("next", "")
        return render(request, "web/login.html", {"form": LoginForm(request), "next": next_url})

    def post(self, request):
        next_url = request.POST.get("next") or request.GET.get("next", "")
        form = LoginForm(request, request.POST)
        if form.is_valid():
            _sign_in(request, form.user)
            return HttpResponseSeeOther(safe_next(next_url))
        return render(request, "web/login.html", {"form": form, "next": next_url},
                      status=UNPROCESSABLE)


class LogoutView(LoginRequiredMixin, PageView):
    def post(self, request):
        # contrib.auth's logout() flushes the session: its row is deleted, so the old cookie is
        # dead. The flash goes into the new, empty session.
        logout(request)
        messages.success(request, "Signed out.")
        return HttpResponseSeeOther("/")


def _article_or_404(slug, lock=False):
    article = repo.article_handle(slug, lock=lock)
    if article is None:
        raise Http404("article")
    return article


def _own_article(request, slug, lock=False):
    """The article to write to: 404 when unknown, 403 when the user is not its author. ``lock``
    inside ``transaction.atomic()``: its row stays locked until the commit (PostgreSQL)."""
    article = _article_or_404(slug, lock=lock)
    if article.author_id != request.user.id:
        raise PermissionDenied("article")
    return article


def _article_url(slug):
    return reverse("web:article", args=[slug])


class EditorView(LoginRequiredMixin, PageView):
    """A new article."""

    def get(self, request):
        return render(request, "web/editor.html", {"form": ArticleForm()})

    def post(self, request):
        form = ArticleForm(request.POST)
        if not form.is_valid():
            return render(request, "web/editor.html", {"form": form}, status=UNPROCESSABLE)
        data = form.cleaned_data
        slug = publish_article(request.user.id, data["title"], data["description"], data["body"],
                               data["tags"])
        messages.success(request, "Article published.")
        return HttpResponseSeeOther(_article_url(slug))


class ArticleEditView(LoginRequiredMixin, PageView):
    """An existing article, author only; the slug never changes."""

    def get(self, request, slug):
        _own_article(request, slug)
        article = repo.article_by_slug(slug, None)
        if article is None:  # deleted since
            raise Http404("article")
        form = ArticleForm(initial={"title": article["title"], "description": article["description"],
                                    "body": article["body"], "tags": " ".join(article["tagList"])})
        return render(request, "web/editor.html", {"form": form, "slug": slug})

    def post(self, request, slug):
        _own_article(request, slug)
        form = ArticleForm(request.POST)
        if not form.is_valid():
            return render(request, "web/editor.html", {"form": form, "slug": slug},
                          status=UNPROCESSABLE)
        data = form.cleaned_data
        with transaction.atomic():
            # Re-read under the write lock (as the API's PUT): updatedAt follows the latest one.
            article = _own_article(request, slug, lock=True)
            changes = {key: data[key] for key in ("title", "description", "body")}
            repo.update_article(article, changes, data["tags"])
        messages.success(request, "Article updated.")
        return HttpResponseSeeOther(_article_url(slug))


class ArticleDeleteView(LoginRequiredMixin, PageView):
    def post(self, request, slug):
        _own_article(request, slug)
        with transaction.atomic():
            repo.delete_article(_own_article(request, slug, lock=True))
        messages.success(request, "Article deleted.")
        return HttpResponseSeeOther("/")


def render_article(request, slug, comment_form, status=200):
    """The article page: the article, its comments newest first, the comment form (signed in)."""
    handle = _article_or_404(slug)
    article = repo.article_by_slug(slug, None)
    if article is None:  # deleted since
        raise Http404("article")
    comments = repo.list_comments(handle, None)
    comments.reverse()  # the data layer lists them oldest first (the API's order)
    return render(request, "web/article.html", {
        "article": article, "comments": comments, "form": comment_form,
    }, status=status)


class ArticleView(PageView):
    def get(self, request, slug):
        return render_article(request, slug, CommentForm())


class CommentCreateView(LoginRequiredMixin, PageView):
    def post(self, request, slug):
        article = _article_or_404(slug)
        form = CommentForm(request.POST)
        if not form.is_valid():
            return render_article(request, slug, form, status=UNPROCESSABLE)
        comment = repo.add_comment(article, request.user, form.cleaned_data["body"])
        if comment is None:  # the article was deleted since the lookup
            raise Http404("article")
        return HttpResponseSeeOther(f"{_article_url(slug)}#comment-{comment['id']}")


class CommentDeleteView(LoginRequiredMixin, PageView):
    def post(self, request, slug, comment_id):
        article = _article_or_404(slug)
        author_id = (repo.comment_author(article, int(comment_id))
                     if _COMMENT_ID.fullmatch(comment_id) else None)
        if author_id is None:
            raise Http404("comment")
        if author_id != request.user.id:
            raise PermissionDenied("comment")
        repo.delete_comment(int(comment_id))
        return HttpResponseSeeOther(_article_url(slug))
