from django.contrib import admin
from django.urls import include, path

from soprano.throttling import limiter

admin.site.site_header = "SOPRANO/REX — administration (PAE)"
admin.site.site_title = "SOPRANO/REX administration"
admin.site.index_title = "Certification, habilitations et données de référence"
# The admin's login is throttled like the portal's (django-axes also locks it per account and address).
admin.site.login = limiter("connexion", method="POST")(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("compte/jetons/", include("api.urls_portail")),
    path("", include("accounts.urls")),
    path("soprano/rex/", include("rex.urls")),
    path("soprano/notifications-techniques/", include("webhooks.urls")),
    path("agent/", include("rex.urls_agent")),
    path("", include("rex.urls_public")),
    path("", include("soprano.urls_pages")),
]

handler400 = "soprano.views.mauvaise_requete"
handler403 = "soprano.views.acces_refuse"
handler404 = "soprano.views.page_introuvable"
