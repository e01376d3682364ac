"""The home page, the editor, articles and comments.

Order of checks on every POST (contract section 7): CSRF (``csrf_protect``,
the route's first dependency), sign-in (``signed_in_user``), existence (404),
authorship (403), then the form's validation (422). Writes that depend on
what they read take SQLite's write lock first (``repo.lock()``, as the API's
routers do; on PostgreSQL the article's row lock); a form that fails
validation is checked and re-rendered without the lock, so no page renders
while holding it.
"""
from fastapi import APIRouter, Depends, Request

from ..paths import decode_segment
from ..repository import Repository, get_repo
from ..routers.articles import publish
from ..routers.comments import comment_id_or_none
from .csrf import csrf_protect
from .errors import PageForbidden, PageNotFound
from .forms import ArticleForm, CommentForm
from .sessions import signed_in_user, web_user
from .templating import SeeOther, flash, render

router = APIRouter(dependencies=[Depends(web_user)])


def _handle(repo: Repository, raw_slug: str, lock: bool = False):
    """The article a raw path segment names (paths.py), or a 404 page."""
    if lock:
        repo.lock()
    slug = decode_segment(raw_slug)
    article = repo.article_handle(slug, lock=lock) if slug else None
    if article is None:
        raise PageNotFound()
    return article


def _own(repo: Repository, raw_slug: str, user, lock: bool = False):
    article = _handle(repo, raw_slug, lock)
    if article.author_id != user.id:
        raise PageForbidden()
    return article


def _article_page(request: Request, repo: Repository, handle, user, status_code=200, comment="", errors=()):
    article = repo.article_by_id(handle.id, user.id if user else None)
    if article is None:  # deleted since the handle was read
        raise PageNotFound()
    comments = repo.list_comments(handle, user.id if user else None)
    comments.reverse()  # newest first (the API lists them oldest first)
    return render(
        request,
        "article.html",
        status_code,
        article=article,
        comments=comments,
        is_author=user is not None and handle.author_id == user.id,
        comment=comment,
        errors=list(errors),
    )


@router.get("/")
async def home(request: Request, repo: Repository = Depends(get_repo)):
    """The 20 newest articles: links to them, and contract section 4's table."""
    return render(request, "home.html", articles=repo.latest_titles(20))


@router.get("/editor")
async def new_article_page(request: Request, user=Depends(signed_in_user)):
    return render(request, "editor.html", action="/editor", values={}, errors=[])


@router.post("/editor", dependencies=[Depends(csrf_protect)])
async def create_article(
    request: Request, user=Depends(signed_in_user), form: ArticleForm = Depends(), repo: Repository = Depends(get_repo)
):
    errors = form.errors()
    if errors:
        return render(request, "editor.html", 422, action="/editor", values=form.shown(), errors=errors)
    _article_id, slug = await publish(repo, user.id, form.parse())  # as the API: committed
    flash(request, "Article published.")
    return SeeOther(f"/article/{slug}")


@router.get("/editor/{slug}")
async def edit_article_page(
    request: Request, slug: str, user=Depends(signed_in_user), repo: Repository = Depends(get_repo)
):
    handle = _own(repo, slug, user)
    article = repo.article_by_id(handle.id, user.id)
    if article is None:
        raise PageNotFound()
    values = {name: article[name] for name in ("title", "description", "body")}
    values["tags"] = " ".join(article["tagList"])  # sorted, as stored
    return render(request, "editor.html", action=f"/editor/{slug}", values=values, errors=[])


@router.post("/editor/{slug}", dependencies=[Depends(csrf_protect)])
async def update_article(
    request: Request,
    slug: str,
    user=Depends(signed_in_user),
    form: ArticleForm = Depends(),
    repo: Repository = Depends(get_repo),
):
    errors = form.errors()
    if errors:
        _own(repo, slug, user)  # 404 and 403 before 422
        return render(request, "editor.html", 422, action=f"/editor/{slug}", values=form.shown(), errors=errors)
    update = form.parse()
    handle = _own(repo, slug, user, lock=True)
    changes = {"title": update.title, "description": update.description, "body": update.body}
    repo.update_article(handle, changes, update.tag_list)  # the slug never changes
    await repo.commit()
    flash(request, "Article updated.")
    return SeeOther(f"/article/{slug}")


@router.post("/article/{slug}/delete", dependencies=[Depends(csrf_protect)])
async def delete_article(request: Request, slug: str, user=Depends(signed_in_user), repo: Repository = Depends(get_repo)):
    repo.delete_article(_own(repo, slug, user, lock=True))
    await repo.commit()
    flash(request, "Article deleted.")
    return SeeOther("/")


@router.get("/article/{slug}")
async def article_page(request: Request, slug: str, user=Depends(web_user), repo: Repository = Depends(get_repo)):
    return _article_page(request, repo, _handle(repo, slug), user)


@router.post("/article/{slug}/comments", dependencies=[Depends(csrf_protect)])
async def add_comment(
    request: Request,
    slug: str,
    user=Depends(signed_in_user),
    form: CommentForm = Depends(),
    repo: Repository = Depends(get_repo),
):
    errors = form.errors()
    if errors:  # the article page again, its comment form showing what was sent
        return _article_page(request, repo, _handle(repo, slug), user, 422, form.values["body"], errors)
    # As the API: the repository checks the article and inserts in one short write transaction.
    decoded = decode_segment(slug)
    comment = await repo.add_comment(decoded, user, form.parse().body) if decoded else None
    if comment is None:
        raise PageNotFound()
    return SeeOther(f"/article/{slug}#comment-{comment['id']}")


@router.post("/article/{slug}/comments/{comment_id}/delete", dependencies=[Depends(csrf_protect)])
async def delete_comment(
    request: Request, slug: str, comment_id: str, user=Depends(signed_in_user), repo: Repository = Depends(get_repo)
):
    article = _handle(repo, slug, lock=True)
    wanted = comment_id_or_none(decode_segment(comment_id))  # as the API
    author_id = repo.comment_author(article, wanted) if wanted is not None else None
    if author_id is None:
        raise PageNotFound()
    if author_id != user.id:
        raise PageForbidden()
    repo.delete_comment(wanted)
    await repo.commit()
    return SeeOther(f"/article/{slug}")
