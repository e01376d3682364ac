from django.urls import path

from . import comments, views

# <segment:...>: registered by conduit/urls.py (common/paths.py).

urlpatterns = [
    path("articles", views.ArticleListView.as_view()),
    # Before articles/<slug>: "feed" is a route, not a slug.
    path("articles/feed", views.FeedView.as_view()),
    path("articles/<segment:slug>", views.ArticleDetailView.as_view()),
    path("articles/<segment:slug>/favorite", views.FavoriteView.as_view()),
    path("articles/<segment:slug>/comments", comments.CommentListView.as_view()),
    # The id is matched as any segment: a non-integer id is "comment not found", not a route 404.
    path("articles/<segment:slug>/comments/<segment:comment_id>", comments.CommentDetailView.as_view()),
    path("tags", views.TagListView.as_view()),
]
