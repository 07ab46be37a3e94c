from django.urls import path

from rex import views, views_modification, views_reference

app_name = "rex"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("demandes/nouvelle/", views.deposer, name="deposer"),
    path("demandes/<int:pk>/", views.detail, name="detail"),
    path("demandes/<int:pk>/formulaire/", views.formulaire, name="formulaire"),
    path("demandes/<int:pk>/documents/", views.documents, name="documents"),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/",
        views.telecharger_document,
        name="document",
    ),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/supprimer/",
        views.supprimer_document,
        name="supprimer_document",
    ),
    path("demandes/<int:pk>/recapitulatif/", views.recapitulatif, name="recapitulatif"),
    path("demandes/<int:pk>/abandonner/", views.abandonner, name="abandonner"),
    path("demandes/<int:pk>/completer/", views.completer, name="completer"),
    path("demandes/<int:pk>/complement/", views.complement, name="complement"),
    path("demandes/<int:pk>/dupliquer/", views.dupliquer, name="dupliquer"),
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
    path("demandes/<int:pk>/ecrire/", views.ecrire, name="ecrire"),
    path("demandes/<int:pk>/autorisation.pdf", views.imprimer, name="imprimer"),
    path("demandes/<int:pk>/confirmation/", views.confirmation, name="confirmation"),
    path("lignes/<str:prefixe>/", views.ligne, name="ligne"),
    path("nomenclature/", views_reference.nomenclature, name="nomenclature"),
]
