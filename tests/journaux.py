"""Reads what the configured log handler writes (settings.LOGGING), as the log collector would."""

import io
import json
import logging
from contextlib import contextmanager


class Sortie:
    def __init__(self, flux: io.StringIO):
        self.flux = flux

    def texte(self) -> str:
        return self.flux.getvalue()

    def lignes(self) -> list[dict]:
        """Every line written, parsed as JSON (a line that is not JSON fails the test)."""
        return [json.loads(ligne) for ligne in self.texte().splitlines() if ligne.strip()]

    def acces(self) -> list[dict]:
        return [ligne for ligne in self.lignes() if ligne["logger"] == "soprano.requetes"]


def handler_console() -> logging.Handler:
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    return handler


@contextmanager
def capturer_journaux(*loggers: str, niveau: int = logging.INFO):
    """The console handler writes into a string meanwhile; `loggers` (and the access log) log from
    `niveau` (the test settings keep the root logger at WARNING)."""
    handler = handler_console()
    flux = io.StringIO()
    precedent = handler.setStream(flux)
    niveaux = {}
    for nom in ("soprano.requetes", *loggers):
        niveaux[nom] = logging.getLogger(nom).level
        logging.getLogger(nom).setLevel(niveau)
    try:
        yield Sortie(flux)
    finally:
        handler.setStream(precedent)
        for nom, ancien in niveaux.items():
            logging.getLogger(nom).setLevel(ancien)
