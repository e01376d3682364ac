"""The blog's pages: home, an article with its comments, the editor.

Writes follow the API's order (``conduit.articles``): CSRF (before any view),
sign-in (``login_required``), then the article's existence (404) and
authorship (403) under SQLite's write lock (PostgreSQL: the article's row
lock), then the form's validation (422), so a refused request changes nothing
and says why in the same order on every route.
"""
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..articles import insert_article
from ..repository import repo
from . import bp
from .auth import form_page
from .forms import ArticleForm, CommentForm

PUBLISHED = "Article published."
UPDATED = "Article updated."
DELETED = "Article deleted."

_COMMENT_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # as the API: 18 digits fit int64


def _viewer_id():
    return current_user.id if current_user.is_authenticated else None


def _article_or_404(slug, for_update=False):
    """The article handle (``id``, ``author_id``) named by ``slug``, or 404.
    ``slug`` is None when its path segment was malformed (conduit.paths).
    ``for_update``: about to write, after ``repo.lock()`` (conduit.articles.locked_article)."""
    article = repo.article_handle(slug, for_update) if slug is not None else None
    if article is None:
        abort(404)
    return article


def _own_article(slug, for_update=False):
    article = _article_or_404(slug, for_update)
    if article.author_id != current_user.id:
        abort(403)
    return article


@bp.get("/")
def home():
    """The newest articles: links to read them, and the table of contract section 4."""
    return render_template("index.html", articles=repo.latest_titles(20))


@bp.get("/article/<slug>")
def article(slug):
    return _article_page(slug, CommentForm())


def _article_page(slug, form, status=200):
    handle = _article_or_404(slug)
    viewer_id = _viewer_id()
    data = repo.article_by_id(handle.id, viewer_id)
    if data is None:  # deleted since the handle was read
        abort(404)
    comments = repo.list_comments(handle, viewer_id)
    comments.reverse()  # newest first (the API lists them oldest first)
    is_author = viewer_id is not None and handle.author_id == viewer_id
    page = render_template("article.html", article=data, comments=comments, form=form, is_author=is_author)
    return page, status


@bp.route("/editor", methods=("GET", "POST"))
@login_required
def new_article():
    form = ArticleForm()
    if form.validate_on_submit():
        _, slug = insert_article(
            current_user.id, form.title.data, form.description.data, form.body.data, form.tag_names()
        )
        repo.commit()
        flash(PUBLISHED)
        return redirect(url_for("web.article", slug=slug), 303)
    return form_page("editor.html", form, action=url_for("web.new_article"))


@bp.route("/editor/<slug>", methods=("GET", "POST"))
@login_required
def edit_article(slug):
    action = url_for("web.edit_article", slug=slug)
    if request.method != "POST":
        article = repo.article_by_id(_own_article(slug).id, current_user.id)
        if article is None:  # deleted since the handle was read
            abort(404)
        fields = {name: article[name] for name in ("title", "description", "body")}
        form = ArticleForm(data=dict(fields, tags=" ".join(article["tagList"])))  # tags sorted, as stored
        return form_page("editor.html", form, action=action)
    form = ArticleForm()
    valid = form.validate()  # its 422 comes after the 404 / 403 below
    if valid:
        repo.lock()
    handle = _own_article(slug, for_update=valid)
    if not valid:
        return form_page("editor.html", form, action=action)
    changes = {name: form[name].data for name in ("title", "description", "body")}
    repo.update_article(handle, changes, form.tag_names())  # the slug stays
    repo.commit()
    flash(UPDATED)
    return redirect(url_for("web.article", slug=slug), 303)


@bp.post("/article/<slug>/delete")
@login_required
def delete_article(slug):
    repo.lock()
    repo.delete_article(_own_article(slug, for_update=True))
    repo.commit()
    flash(DELETED)
    return redirect(url_for("web.home"), 303)


@bp.post("/article/<slug>/comments")
@login_required
def add_comment(slug):
    form = CommentForm()
    if not form.validate_on_submit():
        return _article_page(slug, form, 422)  # 404 first for an unknown article
    comment = repo.add_comment(slug, current_user.record, form.body.data) if slug is not None else None
    if comment is None:
        abort(404)
    return redirect(url_for("web.article", slug=slug, _anchor=f"comment-{comment['id']}"), 303)


@bp.post("/article/<slug>/comments/<comment_id>/delete")
@login_required
def delete_comment(slug, comment_id):
    repo.lock()
    article = _article_or_404(slug, for_update=True)
    author_id = None
    if comment_id is not None and _COMMENT_ID.fullmatch(comment_id):
        author_id = repo.comment_author(article, int(comment_id))
    if author_id is None:
        abort(404)
    if author_id != current_user.id:
        abort(403)
    repo.delete_comment(int(comment_id))
    repo.commit()
    return redirect(url_for("web.article", slug=slug), 303)
