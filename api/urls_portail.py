"""The portal's « Jetons d'accès » page (the API itself is api/urls.py)."""

from django.urls import path

from api import views_jetons

app_name = "jetons"

urlpatterns = [
    path("", views_jetons.jetons, name="liste"),
    path("<int:pk>/revoquer/", views_jetons.revoquer, name="revoquer"),
]
