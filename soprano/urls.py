from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "SOPRANO/REX — administration (PAE)"
admin.site.site_title = "SOPRANO/REX administration"
admin.site.index_title = "Certification, habilitations et données de référence"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("soprano/rex/", include("rex.urls")),
    path("agent/", include("rex.urls_agent")),
    path("", include("rex.urls_public")),
]
