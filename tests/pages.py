"""Reading a response as the user does."""

from html import unescape

from django.contrib.messages import get_messages


def page(response) -> str:
    """The page as the user reads it (entities decoded)."""
    return unescape(response.content.decode())


def messages_de(response) -> list[str]:
    """The flash messages the response carries, decoded."""
    return [unescape(str(m)) for m in get_messages(response.wsgi_request)]
