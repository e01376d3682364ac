"""Comments on an article: list (oldest first), add, delete (the comment's author only)."""
import re

from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.utils.decorators import method_decorator

from accounts.auth import token_optional, token_required
from accounts.models import Follow
from common.http import ApiResponse, forbidden, not_found, parse_json_body
from common.timestamps import now_ms
from common.validation import Payload
from common.views import ApiView

from .models import Comment
from .serializers import comment_data
from .views import article_or_404, no_content

# An id is digits only, and at most 18 of them (anything longer is no row id).
_COMMENT_ID = re.compile(r"[0-9]{1,18}")


class CommentListView(ApiView):
    @method_decorator(token_optional)
    def get(self, request, slug):
        article = article_or_404(slug)
        comments = Comment.objects.filter(article=article).select_related("author").order_by("id")
        viewer = request.user
        if viewer is not None:
            # One query for the whole list: "following" comes from an EXISTS per row.
            comments = comments.annotate(following=Exists(
                Follow.objects.filter(follower=viewer, followee=OuterRef("author_id"))))
        return ApiResponse({"comments": [
            comment_data(comment, bool(getattr(comment, "following", False)))
            for comment in comments
        ]})

    @method_decorator(token_required)
    def post(self, request, slug):
        article = article_or_404(slug)
        payload = Payload(parse_json_body(request, "comment"))
        body = payload.text("body")
        payload.validate()
        created = now_ms()
        try:
            comment = Comment.objects.create(article=article, author=request.user, body=body,
                                             created_at=created, updated_at=created)
        except IntegrityError:  # the article was deleted since the lookup (foreign key)
            raise not_found("article") from None
        following = Follow.objects.filter(follower=request.user, followee=request.user).exists()
        return ApiResponse({"comment": comment_data(comment, following)}, status=201)


class CommentDetailView(ApiView):
    @method_decorator(token_required)
    def delete(self, request, slug, comment_id):
        article = article_or_404(slug)
        if not _COMMENT_ID.fullmatch(comment_id):
            raise not_found("comment")
        comment = Comment.objects.filter(article=article, pk=int(comment_id)).first()
        if comment is None:
            raise not_found("comment")
        if comment.author_id != request.user.pk:
            raise forbidden("comment")
        comment.delete()
        return no_content()
