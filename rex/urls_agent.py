from django.urls import path

from rex import views_agent

app_name = "agent"

urlpatterns = [
    path("", views_agent.file, name="file"),
    path("demandes/<int:pk>/", views_agent.detail, name="detail"),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/",
        views_agent.document,
        name="document",
    ),
]
