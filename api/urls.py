"""/api/v1/: the REST API, its OpenAPI schema and its documentation page."""

from django.urls import path

from drf_spectacular.views import SpectacularAPIView

from api import views, views_ecriture
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

# ------------------------------------------------------------------ the writes (api.views_ecriture)
# The list of requests, a request and a document keep their paths: their views gain the writes there
# (POST a draft, PATCH/PUT a draft, DELETE a document), the reads unchanged.
_AVEC_ECRITURE = {
    "demandes": views_ecriture.Demandes,
    "demande": views_ecriture.DemandeDetail,
    "document": views_ecriture.Document,
}
urlpatterns = [
    path(str(motif.pattern), _AVEC_ECRITURE[motif.name].as_view(), name=motif.name)
    if motif.name in _AVEC_ECRITURE
    else motif
    for motif in urlpatterns
]
urlpatterns += [
    path("demandes/<int:pk>/documents/", views_ecriture.Documents.as_view(), name="documents"),
    path("demandes/<int:pk>/soumettre/", views_ecriture.Soumettre.as_view(), name="soumettre"),
    path("demandes/<int:pk>/complement/", views_ecriture.Complement.as_view(), name="complement"),
    path("demandes/<int:pk>/modification/", views_ecriture.Modification.as_view(), name="modification"),
    path("bureaux/", views_ecriture.Bureaux.as_view(), name="bureaux"),
    path("cadres/", views_ecriture.Cadres.as_view(), name="cadres"),
    path("clients/", views_ecriture.Clients.as_view(), name="clients"),
]
