from django.contrib.auth.views import LoginView
from django.urls import include, path

from tests.interop.oidc_provider_site import views

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("kit/users", views.add_user),
    path("kit/redirect-uris", views.allow_redirect_uri),
    path("kit/authorize-requests", views.authorize_requests),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
]
