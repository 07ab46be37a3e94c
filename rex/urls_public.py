from django.urls import path

from rex import views_calendrier, views_public

app_name = "public"

urlpatterns = [
    path("verifier/", views_public.verifier, name="verifier"),
    path("export/rex.json", views_public.exporter, {"format": "json"}, name="export_json"),
    # « Calendrier des échéances »: the secret address of a user's deadlines (accounts:calendrier).
    path("calendrier/<str:secret>.ics", views_calendrier.calendrier, name="calendrier"),
    path("export/rex.csv", views_public.exporter, {"format": "csv"}, name="export_csv"),
]
