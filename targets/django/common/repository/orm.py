"""The Django ORM data layer (target ``django``).

An article page loads in a constant number of queries, whatever its size: one query selects the
articles joined with their authors (``select_related``) and annotated with ``favorites_count``
(a correlated COUNT subquery), ``favorited`` and ``following`` (EXISTS subqueries for the
viewer); one more fetches the tags of all of them (``prefetch_related``). A list of 20 articles
costs those two queries plus the COUNT of matches.

The count is a subquery rather than ``Count("favorited_by")``: with a ``favorited=`` filter the
join would already be narrowed to one user's favorite and the count would always say 1.
"""
from django.db import IntegrityError
from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Prefetch, \
    Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Follow, User
from articles.models import Article, Comment, Favorite, Tag
from common.timestamps import iso_ms, later_than, now_ms

from .shapes import article_view, comment_view, profile_view

NEWEST_FIRST = ("-created_at", "-id")
# SQLite caps the number of bound parameters per statement (Django assumes 999): large tag
# lists are looked up in batches.
_BATCH = 500


def _with_details(articles, viewer_id):
    """``articles`` (a queryset) with everything the Article JSON needs, for the viewer."""
    favorites_count = (
        Favorite.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    articles = articles.select_related("author").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    ).annotate(favorites_count=Coalesce(Subquery(favorites_count, output_field=IntegerField()), 0))
    if viewer_id is None:
        return articles.annotate(
            favorited=Value(False, output_field=BooleanField()),
            following=Value(False, output_field=BooleanField()),
        )
    return articles.annotate(
        favorited=Exists(Favorite.objects.filter(article=OuterRef("pk"), user_id=viewer_id)),
        following=Exists(Follow.objects.filter(follower_id=viewer_id, followee=OuterRef("author_id"))),
    )


def _article_json(article, with_body=True):
    author = article.author
    return article_view(
        article.slug,
        article.title,
        article.description,
        article.body if with_body else None,
        # Prefetched in name order: byte order (SQLite BINARY, the C collation on PostgreSQL).
        [tag.name for tag in article.tags.all()],
        iso_ms(article.created_at),
        iso_ms(article.updated_at),
        bool(article.favorited),
        article.favorites_count,
        profile_view(author.username, author.bio, author.image, bool(article.following)),
    )


def _comment_json(comment, following):
    author = comment.author
    return comment_view(comment.pk, iso_ms(comment.created_at), iso_ms(comment.updated_at),
                        comment.body, profile_view(author.username, author.bio, author.image, following))


class OrmRepository:
    # users -----------------------------------------------------------------------------------

    def user_by_id(self, user_id):
        return User.objects.filter(pk=user_id).first()

    def user_by_email(self, email):
        return User.objects.filter(email=email).first()

    def user_by_username(self, username):
        return User.objects.filter(username=username).first()

    def taken_fields(self, username, email, exclude_id=None):
        """The names of the fields ("username", "email") whose value another user has."""
        others = User.objects.exclude(pk=exclude_id) if exclude_id else User.objects.all()
        taken = []
        if username is not None and others.filter(username=username).exists():
            taken.append("username")
        if email is not None and others.filter(email=email).exists():
            taken.append("email")
        return taken

    def create_user(self, username, email, password_hash):
        return User.objects.create(username=username, email=email, password=password_hash)

    def update_user(self, user, changes):
        """Write ``changes`` (field -> value; ``password`` is the hash) and return the user."""
        for key, value in changes.items():
            setattr(user, key, value)
        user.save(update_fields=list(changes))
        return user

    # profiles --------------------------------------------------------------------------------

    def is_following(self, viewer_id, user_id):
        return viewer_id is not None and Follow.objects.filter(
            follower_id=viewer_id, followee_id=user_id).exists()

    def follow(self, viewer_id, user_id):
        # Idempotent: following twice is not an error (INSERT OR IGNORE on the unique pair).
        Follow.objects.bulk_create([Follow(follower_id=viewer_id, followee_id=user_id)],
                                   ignore_conflicts=True)

    def unfollow(self, viewer_id, user_id):
        Follow.objects.filter(follower_id=viewer_id, followee_id=user_id).delete()

    # articles --------------------------------------------------------------------------------

    def list_articles(self, viewer_id, limit, offset, tag=None, author=None, favorited=None,
                      feed_of=None):
        """(articles without their body, total count) for one page, newest first. A filter
        that is not None filters, even when empty (an empty tag matches nothing)."""
        articles = Article.objects.all()
        # Each join matches at most one row per article (tag names, usernames and favorites are
        # unique), so no DISTINCT is needed.
        if tag is not None:
            articles = articles.filter(tags__name=tag)
        if author is not None:
            articles = articles.filter(author__username=author)
        if favorited is not None:
            articles = articles.filter(favorited_by__username=favorited)
        if feed_of is not None:
            followed = Follow.objects.filter(follower_id=feed_of).values("followee")
            articles = articles.filter(author__in=followed)
        count = articles.count()
        # List items carry no body: do not load it (bodies may be up to 1 MiB).
        page = _with_details(articles.defer("body"), viewer_id).order_by(*NEWEST_FIRST)
        return [_article_json(article, with_body=False) for article in page[offset:offset + limit]], count

    def article_by_slug(self, slug, viewer_id):
        article = _with_details(Article.objects.filter(slug=slug), viewer_id).first()
        return _article_json(article) if article is not None else None

    def article_handle(self, slug, lock=False):
        """The article to write to (``id``, ``author_id``, ``updated_at``), or None. ``lock``
        (inside ``transaction.atomic()``): ``SELECT ... FOR UPDATE`` on PostgreSQL, so writers of
        one article queue on its row; nothing on SQLite, where BEGIN IMMEDIATE already holds the
        database's write lock (Django leaves FOR UPDATE out there)."""
        articles = Article.objects.select_for_update() if lock else Article.objects
        return articles.filter(slug=slug).first()

    def slug_taken(self, slug):
        return Article.objects.filter(slug=slug).exists()

    def _tag_ids(self, names):
        """Ids of the named tags, creating the missing ones."""
        Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
        ids = []
        for start in range(0, len(names), _BATCH):
            batch = names[start:start + _BATCH]
            ids.extend(Tag.objects.filter(name__in=batch).values_list("id", flat=True))
        return ids

    def _set_tags(self, article, names, replace):
        links = Article.tags.through
        if replace:
            links.objects.filter(article=article).delete()
        links.objects.bulk_create([links(article=article, tag_id=tag_id) for tag_id in self._tag_ids(names)])

    def create_article(self, author_id, slug, title, description, body, tags):
        created = now_ms()
        article = Article.objects.create(slug=slug, title=title, description=description, body=body,
                                         author_id=author_id, created_at=created, updated_at=created)
        self._set_tags(article, tags, replace=False)

    def update_article(self, article, changes, tags):
        """``updatedAt`` moves strictly forward from the handle's (read under the write lock)."""
        for key, value in changes.items():
            setattr(article, key, value)
        article.updated_at = later_than(article.updated_at)
        article.save(update_fields=[*changes, "updated_at"])
        if tags is not None:
            self._set_tags(article, tags, replace=True)

    def delete_article(self, article):
        article.delete()  # its comments, favorites and tag links go with it (Django's cascade)

    def favorite(self, user_id, article):
        """False when the article is gone (deleted since the handle was read)."""
        try:
            Favorite.objects.bulk_create([Favorite(user_id=user_id, article_id=article.id)],
                                         ignore_conflicts=True)
        except IntegrityError:  # foreign key: the article was deleted since the lookup
            return False
        return True

    def unfavorite(self, user_id, article):
        Favorite.objects.filter(user_id=user_id, article_id=article.id).delete()

    # comments --------------------------------------------------------------------------------

    def add_comment(self, article, author, body):
        """The new comment's JSON, or None when the article is gone (an autocommit INSERT)."""
        created = now_ms()
        try:
            comment = Comment.objects.create(article_id=article.id, author=author, body=body,
                                             created_at=created, updated_at=created)
        except IntegrityError:  # the article was deleted since the lookup (foreign key)
            return None
        # Following yourself is allowed, so even your own comment may say true.
        return _comment_json(comment, self.is_following(author.id, author.id))

    def list_comments(self, article, viewer_id):
        comments = Comment.objects.filter(article_id=article.id).select_related("author").order_by("id")
        if viewer_id is not None:
            # One query for the whole list: "following" comes from an EXISTS per row.
            comments = comments.annotate(following=Exists(
                Follow.objects.filter(follower_id=viewer_id, followee=OuterRef("author_id"))))
        return [_comment_json(comment, bool(getattr(comment, "following", False))) for comment in comments]

    def comment_author(self, article, comment_id):
        return Comment.objects.filter(article_id=article.id, pk=comment_id).values_list(
            "author_id", flat=True).first()

    def delete_comment(self, comment_id):
        Comment.objects.filter(pk=comment_id).delete()

    # tags and the page -----------------------------------------------------------------------

    def tag_names(self):
        # Tags used by at least one existing article, in byte order (SQLite BINARY, PostgreSQL C).
        return list(Tag.objects.filter(articles__isnull=False).distinct().order_by("name")
                    .values_list("name", flat=True))

    def latest_titles(self, limit=20):
        """{slug, title, username, created_at (API form)} of the newest articles, for the home
        page."""
        articles = (Article.objects.select_related("author").order_by(*NEWEST_FIRST)
                    .only("slug", "title", "created_at", "author__username")[:limit])
        return [{"slug": a.slug, "title": a.title, "username": a.author.username,
                 "created_at": iso_ms(a.created_at)} for a in articles]
