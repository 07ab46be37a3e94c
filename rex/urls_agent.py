from django.urls import path

from rex import views_agent

app_name = "agent"

urlpatterns = [
    path("", views_agent.file, name="file"),
    path("export.csv", views_agent.export_csv, name="export_csv"),
    path("export.xlsx", views_agent.export_xlsx, name="export_xlsx"),
    path("actions-groupees/", views_agent.actions_groupees, name="actions_groupees"),
    path("filtres/", views_agent.enregistrer_filtre, name="enregistrer_filtre"),
    path("filtres/<int:pk>/supprimer/", views_agent.supprimer_filtre, name="supprimer_filtre"),
    path("historique/", views_agent.historique, name="historique"),
    path("tableau-de-bord/", views_agent.tableau_de_bord, name="tableau_de_bord"),
    path("depot-papier/", views_agent.deposer_papier, name="deposer_papier"),
    path("demandes/<int:pk>/", views_agent.detail, name="detail"),
    path("demandes/<int:pk>/prendre-en-charge/", views_agent.prendre_en_charge, name="prendre_en_charge"),
    path("demandes/<int:pk>/reaffecter/", views_agent.reaffecter, name="reaffecter"),
    path(
        "demandes/<int:pk>/demander-complement/",
        views_agent.demander_complement,
        name="demander_complement",
    ),
    path("demandes/<int:pk>/rejeter/", views_agent.rejeter, name="rejeter"),
    path("demandes/<int:pk>/octroyer/", views_agent.octroyer, name="octroyer"),
    path("demandes/<int:pk>/revoquer/", views_agent.revoquer, name="revoquer"),
    path(
        "demandes/<int:pk>/valider-modification/",
        views_agent.valider_modification,
        name="valider_modification",
    ),
    path(
        "demandes/<int:pk>/annuler-revocation/",
        views_agent.annuler_revocation,
        name="annuler_revocation",
    ),
    path("demandes/<int:pk>/ecrire/", views_agent.ecrire, name="ecrire"),
    path("demandes/<int:pk>/autorisation.pdf", views_agent.imprimer, name="imprimer"),
    path(
        "demandes/<int:pk>/documents/<int:document_pk>/",
        views_agent.document,
        name="document",
    ),
]
