from django.urls import path

from . import views

# <segment:...>: registered by conduit/urls.py (common/paths.py).

urlpatterns = [
    path("users", views.RegistrationView.as_view()),
    path("users/login", views.LoginView.as_view()),
    path("user", views.CurrentUserView.as_view()),
    path("profiles/<segment:username>", views.ProfileView.as_view()),
    path("profiles/<segment:username>/follow", views.FollowView.as_view()),
]
