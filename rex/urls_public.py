from django.urls import path

from rex import views_public

app_name = "public"

urlpatterns = [
    path("verifier/", views_public.verifier, name="verifier"),
    path("export/rex.json", views_public.exporter, {"format": "json"}, name="export_json"),
    path("export/rex.csv", views_public.exporter, {"format": "csv"}, name="export_csv"),
]
