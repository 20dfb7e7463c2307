"""The simulator's pages (identity_sim) and its provider endpoints (django-oauth-toolkit's names).

``config/urls.py`` mounts both under /mo-phong-vneid/ only when
MOTCUA_IDENTITY_SIMULATOR is on. The endpoints keep the ``oauth2_provider``
namespace: the toolkit's discovery document reverses them by those names.
"""

from django.urls import include, path, re_path
from oauth2_provider import views as oauth

from . import views

provider_patterns = (
    [
        path("authorize/", views.SimAuthorizationView.as_view(), name="authorize"),
        path("token/", oauth.TokenView.as_view(), name="token"),
        path("revoke_token/", oauth.RevokeTokenView.as_view(), name="revoke-token"),
        path("introspect/", oauth.IntrospectTokenView.as_view(), name="introspect"),
        re_path(
            r"^\.well-known/openid-configuration/?$",
            oauth.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info",
        ),
        path(".well-known/jwks.json", oauth.JwksInfoView.as_view(), name="jwks-info"),
        path("userinfo/", oauth.UserInfoView.as_view(), name="user-info"),
        path("logout/", oauth.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
    ],
    "oauth2_provider",
)
page_patterns = (
    [
        path("", views.home, name="home"),
        path("dang-nhap/", views.pick, name="pick"),
    ],
    "identity_sim",
)
urlpatterns = [path("", include(page_patterns)), path("", include(provider_patterns))]
