from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("compte/inscription/", views.signup, name="signup"),
    path("compte/inscription/envoyee/", views.signup_done, name="signup_done"),
    path("compte/activation/<str:token>/", views.activate, name="activate"),
    path("compte/connexion/", views.LoginView.as_view(), name="login"),
    path("compte/deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("compte/mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "compte/mot-de-passe/oubli/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/mot-de-passe/modifie/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("services/", views.services, name="services"),
    path("services/habilitation/", views.demander_habilitation, name="demander_habilitation"),
    path("soprano/", views.soprano_home, name="soprano_home"),
    path("compte/calendrier/", views.calendrier, name="calendrier"),
]
