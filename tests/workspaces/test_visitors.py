import pytest

from workspaces.visitors import country_from_meta, device_class

UA = {
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "android_phone": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0 Mobile Safari/537.36",
    "android_tablet": "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0 Safari/537.36",
    "ipad": "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    "windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "mac": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "linux": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "googlebot": "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0 Mobile Safari/537.36 (compatible; Googlebot/2.1)",
    "curl": "curl/8.5.0",
    "empty": "",
    "odd": "SomethingElse/1.0",
}


@pytest.mark.parametrize(
    "agent,expected",
    [
        ("iphone", "mobile"),
        ("android_phone", "mobile"),
        ("android_tablet", "tablet"),
        ("ipad", "tablet"),
        ("windows", "desktop"),
        ("mac", "desktop"),
        ("linux", "desktop"),
        ("googlebot", "other"),
        ("curl", "other"),
        ("empty", "other"),
        ("odd", "other"),
    ],
)
def test_device_class(agent, expected):
    assert device_class(UA[agent]) == expected


@pytest.mark.parametrize(
    "meta,expected",
    [
        ({"HTTP_CF_IPCOUNTRY": "US"}, "US"),
        ({"HTTP_CF_IPCOUNTRY": "de"}, "DE"),
        ({"HTTP_X_COUNTRY_CODE": " fr "}, "FR"),
        ({"HTTP_CF_IPCOUNTRY": "GB", "HTTP_X_COUNTRY_CODE": "FR"}, "GB"),
        ({"HTTP_CF_IPCOUNTRY": "XX"}, ""),  # Cloudflare: unknown
        ({"HTTP_CF_IPCOUNTRY": "T1"}, ""),  # Cloudflare: Tor
        ({"HTTP_CF_IPCOUNTRY": "USA"}, ""),
        ({"HTTP_CF_IPCOUNTRY": "<b>"}, ""),
        ({}, ""),
    ],
)
def test_country_from_meta(meta, expected):
    assert country_from_meta(meta) == expected
