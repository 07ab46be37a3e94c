"""The client's address, as seen through the TLS proxy in front of the application.

Behind the proxy, REMOTE_ADDR is the proxy's own address: every client would share one lockout (axes) and
one throttling counter. X-Forwarded-For is read only when the request comes from a trusted proxy
(settings.TRUSTED_PROXIES), from the right: each proxy appends the address it received the request from,
so the first address that is not a trusted proxy is the client. A client cannot choose its address by
sending an X-Forwarded-For header of its own: what it sends stays on the left.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's IP address (used by django-axes and django-ratelimit)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
    if not _trusted(_address(remote), networks):
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # malformed: keep the proxy's address rather than trust what follows
        if not _trusted(address, networks):
            return str(address)
    return remote
