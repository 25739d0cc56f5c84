"""Which image addresses the site's Content Security Policy lets readers' browsers load."""

import pytest

from cms.content_security import image_may_load


@pytest.fixture
def image_sources(settings):
    settings.SITE_URL = "https://blog.example.com"

    def allow(*sources):
        settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": ["'self'", "data:", *sources]}

    return allow


@pytest.mark.parametrize(
    ("address", "loads"),
    [
        ("/media/photos/a.webp", True),
        ("gateway.png", True),
        ("https://blog.example.com/static/logo.png", True),
        ("//blog.example.com/static/logo.png", True),
        ("https://blog.example.com:8443/logo.png", False),
        ("https://example.com/gateway.png", False),
        ("http://blog.example.com.evil.test/a.png", False),
        ("data:image/png;base64,AAAA", True),
        ("http://[::1", False),
    ],
)
def test_the_sites_own_addresses_and_data_load(image_sources, address, loads):
    image_sources()

    assert image_may_load(address) is loads


@pytest.mark.parametrize(
    ("source", "address", "loads"),
    [
        ("https://photos.example.net", "https://photos.example.net/a/b.webp", True),
        ("https://photos.example.net", "http://photos.example.net/a.webp", False),
        ("http://photos.example.net", "https://photos.example.net/a.webp", True),
        ("photos.example.net", "https://photos.example.net/a.webp", True),
        ("https://photos.example.net", "https://other.example.net/a.webp", False),
        ("https://*.example.net", "https://cdn.example.net/a.webp", True),
        ("https://*.example.net", "https://example.net/a.webp", False),
        ("https://photos.example.net:9000", "https://photos.example.net:9000/a.webp", True),
        ("https://photos.example.net:9000", "https://photos.example.net/a.webp", False),
        ("https://photos.example.net/media/", "https://photos.example.net/media/a.webp", True),
        ("https://photos.example.net/media/", "https://photos.example.net/other/a.webp", False),
        ("https:", "https://anywhere.example.org/a.webp", True),
        ("*", "https://anywhere.example.org/a.webp", True),
        ("'none'", "https://anywhere.example.org/a.webp", False),
    ],
)
def test_a_configured_source_lets_its_addresses_load(image_sources, source, address, loads):
    image_sources(source)

    assert image_may_load(address) is loads
