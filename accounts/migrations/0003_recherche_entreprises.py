"""The REX home's search and client filter (rex.selectors.demandes_accueil) at a national register's
volume: a company's EORI searched as an indexed prefix, its raison sociale through a trigram index.
PostgreSQL only (`pg_trgm`); elsewhere (SQLite) the search stays a plain scan of the user's own requests.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Match the SQL of `eori__istartswith` and `raison_sociale__icontains` on PostgreSQL: UPPER("…"::text) LIKE.
INDEX = {
    "accounts_entreprise_eori_prefixe": "(UPPER(eori::text) text_pattern_ops)",
    "accounts_entreprise_raison_sociale_trgm": "USING gin (UPPER(raison_sociale::text) gin_trgm_ops)",
}


def creer_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for nom, definition in INDEX.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {nom} ON accounts_entreprise {definition}")


def supprimer_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for nom in INDEX:
            schema_editor.execute(f"DROP INDEX IF EXISTS {nom}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_telephone_entreprise")]

    operations = [
        # A no-op outside PostgreSQL, and when the extension exists already.
        TrigramExtension(),
        migrations.RunPython(creer_index, supprimer_index, elidable=False),
    ]
