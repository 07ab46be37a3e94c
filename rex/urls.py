from django.urls import path

from rex import (
    views,
    views_clients,
    views_demande,
    views_documents,
    views_formulaire,
    views_modification,
    views_reference,
)

app_name = "rex"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("clients/", views_clients.clients, name="clients"),
    path("clients/export.csv", views_clients.exporter_clients, name="clients_csv"),
    path("demandes/nouvelle/", views_formulaire.deposer, name="deposer"),
    path("demandes/<int:pk>/", views_demande.detail, name="detail"),
    path("demandes/<int:pk>/formulaire/", views_formulaire.formulaire, name="formulaire"),
    path("demandes/<int:pk>/documents/", views_documents.documents, name="documents"),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/",
        views_documents.telecharger_document,
        name="document",
    ),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/supprimer/",
        views_documents.supprimer_document,
        name="supprimer_document",
    ),
    path("demandes/<int:pk>/recapitulatif/", views_formulaire.recapitulatif, name="recapitulatif"),
    path("demandes/<int:pk>/abandonner/", views_demande.abandonner, name="abandonner"),
    path("demandes/<int:pk>/completer/", views_demande.completer, name="completer"),
    path("demandes/<int:pk>/complement/", views_demande.complement, name="complement"),
    path("demandes/<int:pk>/dupliquer/", views_demande.dupliquer, name="dupliquer"),
    path(
        "demandes/<int:pk>/demander-modification/",
        views_modification.demander_modification,
        name="demander_modification",
    ),
    path("demandes/<int:pk>/modification/", views_modification.modification, name="modification"),
    path(
        "demandes/<int:pk>/modification/recapitulatif/",
        views_modification.recapitulatif_modification,
        name="recapitulatif_modification",
    ),
    path("demandes/<int:pk>/ecrire/", views_demande.ecrire, name="ecrire"),
    path("demandes/<int:pk>/autorisation.pdf", views_demande.imprimer, name="imprimer"),
    path("demandes/<int:pk>/confirmation/", views_formulaire.confirmation, name="confirmation"),
    path("lignes/<str:prefixe>/", views_formulaire.ligne, name="ligne"),
    path("nomenclature/", views_reference.nomenclature, name="nomenclature"),
]
