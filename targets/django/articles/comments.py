"""Comments on an article: list (oldest first), add, delete (the comment's author only)."""
import re

from django.utils.decorators import method_decorator

from accounts.auth import token_optional, token_required
from common.http import ApiResponse, forbidden, not_found, parse_json_body
from common.repository import repo
from common.validation import Payload
from common.views import ApiView

from .views import article_or_404, no_content

# An id is digits only, and at most 18 of them (anything longer is no row id).
_COMMENT_ID = re.compile(r"[0-9]{1,18}")  # parity-ruling: 11


class CommentListView(ApiView):
    @method_decorator(token_optional)
    def get(self, request, slug):
        article = article_or_404(slug)
        viewer = request.user
        return ApiResponse({"comments": repo.list_comments(article, viewer.id if viewer else None)})

    @method_decorator(token_required)
    def post(self, request, slug):
        article = article_or_404(slug)
        payload = Payload(parse_json_body(request, "comment"))
        body = payload.text("body")
        payload.validate()
        # One autocommit INSERT: the write lock is held for that statement only.
        comment = repo.add_comment(article, request.user, body)
        if comment is None:  # the article was deleted since the lookup
            raise not_found("article")
        return ApiResponse({"comment": comment}, status=201)


class CommentDetailView(ApiView):
    @method_decorator(token_required)
    def delete(self, request, slug, comment_id):
        article = article_or_404(slug)
        author_id = repo.comment_author(article, int(comment_id)) if _COMMENT_ID.fullmatch(comment_id) else None
        if author_id is None:
            raise not_found("comment")
        if author_id != request.user.id:
            raise forbidden("comment")
        repo.delete_comment(int(comment_id))
        return no_content()
