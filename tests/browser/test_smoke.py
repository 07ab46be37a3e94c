import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_french_and_names_the_service(page):
    response = page.goto("/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("header").first).to_contain_text("SOPRANO/REX")
