"""The service's information pages, linked from every page's footer (DSFR), open to everyone."""

from django.urls import path

from soprano import views

app_name = "pages"

urlpatterns = [
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", views.donnees_personnelles, name="donnees_personnelles"),
    path("cookies/", views.cookies, name="cookies"),
    path("plan-du-site/", views.plan_du_site, name="plan_du_site"),
]
