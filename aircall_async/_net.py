"""Small network facts shared by the client and the fake server."""

from __future__ import annotations

import ipaddress

from yarl import URL

__all__ = ["is_loopback", "secure_base_url"]


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_base_url(base_url: str | URL) -> URL:
    """``base_url`` as a URL if it is https, or http on a loopback host, without credentials.

    Raises:
        ValueError: for clear text off loopback, or a user or password in the URL.

    Credentials must never travel in clear text off this machine.
    """
    url = URL(base_url) if isinstance(base_url, str) else base_url
    if url.user is not None or url.password is not None:
        # Said without the URL: it holds the credentials.
        raise ValueError("base_url must not carry credentials; pass them to the client")
    if url.scheme == "https" and url.host:
        return url
    if url.scheme == "http" and is_loopback(url.host):
        return url
    raise ValueError(
        f"base_url must be an https:// URL (http:// only on a loopback host), got {url}"
    )
