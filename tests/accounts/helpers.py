"""Small helpers for the accounts tests."""

import html

from django.contrib.messages import get_messages


def texte(response) -> str:
    """The page as the user reads it: entities decoded (' is escaped as &#x27; in variables)."""
    return html.unescape(response.content.decode())


def messages_de(response) -> list[str]:
    return [html.unescape(str(m)) for m in get_messages(response.wsgi_request)]
