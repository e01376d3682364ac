"""The pages. Included by conduit/urls.py under the ``web`` namespace, which tells the error
handlers (web/errors.py) to answer 403 and 404 with HTML pages instead of the API's JSON."""
from django.urls import path

from . import views

app_name = "web"

# <segment:...>: registered by conduit/urls.py (common/paths.py).
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("register", views.RegisterView.as_view(), name="register"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("editor", views.EditorView.as_view(), name="editor"),
    path("editor/<segment:slug>", views.ArticleEditView.as_view(), name="edit"),
    path("article/<segment:slug>", views.ArticleView.as_view(), name="article"),
    path("article/<segment:slug>/delete", views.ArticleDeleteView.as_view(), name="delete"),
    path("article/<segment:slug>/comments", views.CommentCreateView.as_view(), name="comments"),
    path("article/<segment:slug>/comments/<segment:comment_id>/delete",
         views.CommentDeleteView.as_view(), name="delete-comment"),
]
