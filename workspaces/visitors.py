"""What a scan's request tells about the visitor: their country (from a header set by the CDN or
proxy in front of the app) and their device class (from the User-Agent). Pure functions of the
request headers: no database, no session."""

import re

from .models import DeviceClass

# Headers a CDN or reverse proxy sets with the visitor's ISO 3166-1 alpha-2 country, in order of
# preference (Cloudflare, then a generic one to set in nginx/another proxy).
COUNTRY_HEADERS = ("HTTP_CF_IPCOUNTRY", "HTTP_X_COUNTRY_CODE")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Codes a CDN uses for "unknown" rather than a country (Cloudflare: XX; T1 = Tor fails the regex).
_NOT_A_COUNTRY = {"XX", "ZZ"}

_BOT = re.compile(r"bot|crawl|spider|slurp|externalhit|curl|wget|python-requests|httpclient", re.I)
_TABLET = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.I)
_MOBILE = re.compile(r"mobi|iphone|ipod|android|windows phone|blackberry|opera mini", re.I)
_DESKTOP = re.compile(r"windows nt|macintosh|mac os x|x11|linux|cros", re.I)


def country_from_meta(meta) -> str:
    """The visitor's two-letter country code, or "" when no trusted header gives a valid one."""
    for header in COUNTRY_HEADERS:
        value = meta.get(header, "").strip().upper()
        if value:
            return value if _COUNTRY.match(value) and value not in _NOT_A_COUNTRY else ""
    return ""


def device_class(user_agent: str) -> str:
    """mobile, tablet, desktop, or other (bots, command-line clients, unknown)."""
    if not user_agent or _BOT.search(user_agent):
        return DeviceClass.OTHER
    if _TABLET.search(user_agent):
        return DeviceClass.TABLET
    if _MOBILE.search(user_agent):
        return DeviceClass.MOBILE
    if _DESKTOP.search(user_agent):
        return DeviceClass.DESKTOP
    return DeviceClass.OTHER
