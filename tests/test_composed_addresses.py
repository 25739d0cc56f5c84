"""Addresses typed or copied in decomposed Unicode find the page (cms/middleware.py)."""

import unicodedata
from urllib.parse import quote

import pytest

from tests.factories import make_event, make_report, make_section, make_session, make_speaker

pytestmark = pytest.mark.django_db


def decomposed(text: str) -> str:
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    return nfd


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_decomposed_report_address_leads_to_the_report(client, prefix):
    report = make_report(published=True, title="ガイドブック", slug="ガイドブック")

    response = client.get(f"{prefix}/reports/{decomposed('ガイドブック')}/?utm_source=mac")

    assert response.status_code == 301
    assert response["Location"] == f"{prefix}/reports/{quote('ガイドブック')}/?utm_source=mac"
    assert client.get(response["Location"]).status_code == 200
    assert report.title in client.get(response["Location"]).content.decode()


def test_a_decomposed_speaker_address_leads_to_the_speaker(client):
    event = make_event()
    speaker = make_speaker(name="ゲスト", slug="ゲスト")
    report = make_report(published=True, event=event)
    make_section(report, session=make_session(event, speakers=(speaker,)))

    response = client.get(f"/speakers/{decomposed('ゲスト')}/")

    assert response.status_code == 301
    assert response["Location"] == speaker.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_an_address_found_nowhere_in_either_form_is_still_not_found(client):
    make_report(published=True, title="ガイドブック", slug="ガイドブック")

    assert client.get(f"/nowhere/{decomposed('ガイド')}/").status_code == 404


def test_a_composed_address_that_is_missing_is_not_redirected(client):
    assert client.get("/reports/ガイドブック/").status_code == 404


def test_only_reading_is_redirected(client):
    make_report(published=True, title="ガイドブック", slug="ガイドブック")

    response = client.post(f"/reports/{decomposed('ガイドブック')}/")

    assert response.status_code in (404, 405)
