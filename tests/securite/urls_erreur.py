"""The project's URLs plus one view that fails, to see the 500 page as a user would."""

from django.urls import path

from soprano.urls import handler400, handler403, handler404, urlpatterns  # noqa: F401


def boum(request):
    raise RuntimeError("panne simulée")


urlpatterns = [*urlpatterns, path("boum/", boum)]
