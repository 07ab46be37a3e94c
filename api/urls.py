"""/api/v1/: the REST API, its OpenAPI schema and its documentation page."""

from django.urls import path

from drf_spectacular.views import SpectacularAPIView

from api import views
from api.documentation import documentation

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", documentation, name="docs"),
    path("moi/", views.Moi.as_view(), name="moi"),
    path("demandes/", views.Demandes.as_view(), name="demandes"),
    path("demandes/<int:pk>/", views.DemandeDetail.as_view(), name="demande"),
    path("demandes/<int:pk>/messages/", views.Messages.as_view(), name="messages"),
    path("demandes/<int:pk>/documents/<int:document_pk>/", views.Document.as_view(), name="document"),
    path("demandes/<int:pk>/autorisation.pdf", views.Autorisation.as_view(), name="autorisation"),
    path("nomenclature/", views.Nomenclature.as_view(), name="nomenclature"),
    path("agent/file/", views.File.as_view(), name="agent_file"),
    path("agent/demandes/<int:pk>/", views.FileDemande.as_view(), name="agent_demande"),
    path(
        "agent/demandes/<int:pk>/documents/<int:document_pk>/",
        views.FileDocument.as_view(),
        name="agent_document",
    ),
    path(
        "agent/demandes/<int:pk>/autorisation.pdf",
        views.FileAutorisation.as_view(),
        name="agent_autorisation",
    ),
]
