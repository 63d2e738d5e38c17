"""The privacy notice and the cookies page: linked wherever personal data is asked for, and true to the code."""

import re

import pytest
from conftest import REAL_CONTENT

from migration_guide.config import PROJECT_ROOT, Settings
from migration_guide.pages.app import create_app

#: Keys the scripts keep in the reader's browser: every string (or template literal, up to its first
#: `${`) that starts with the guide's storage prefix.
STORAGE_KEY = re.compile(r"""["'`](gp-practice-migration-guide:[^"'`$]*)""")


def guide_app(tmp_path, **overrides):
    settings = Settings.from_environment(
        content_dir=REAL_CONTENT, instance_dir=tmp_path / "instance", database_url="", **overrides
    )
    return create_app(settings)


@pytest.fixture
def client(tmp_path):
    return guide_app(tmp_path).test_client()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", ["/", "/guide/", "/practice-staff/", "/plan/", "/request-help/", "/privacy/"])
def test_every_page_footer_links_to_the_privacy_notice_and_the_cookies_page(client, path):
    footer = client.get(path).get_data(as_text=True).split("<footer", 1)[1]
    assert 'href="/privacy/"' in footer and ">Privacy notice<" in footer
    assert 'href="/cookies/"' in footer and ">Cookies<" in footer


def test_the_help_form_links_to_the_notice_beside_the_personal_fields_and_before_sending(client):
    html = client.get("/request-help/").get_data(as_text=True)
    about_you = html.split(">About you</h2>", 1)[1].split('id="full-name"', 1)[0]
    assert 'href="/privacy/"' in about_you
    before_send = html.split("What happens when you send this request", 1)[1].split("Send request", 1)[0]
    assert "We send everything on this form to the delivery partner" in before_send
    assert 'href="/privacy/"' in before_send


def test_the_help_form_asks_for_no_consent_because_its_lawful_basis_is_public_task(client):
    html = client.get("/request-help/").get_data(as_text=True)
    assert 'name="consent"' not in html and "I agree" not in html
    assert "public task, so we do not ask for your consent" in html


def test_the_comment_step_of_section_feedback_links_to_the_notice(client):
    html = client.get("/guide/kick-off/").get_data(as_text=True)
    comment_template = html.split('<template id="app-feedback-comment">', 1)[1].split("</template>", 1)[0]
    assert 'href="/privacy/"' in comment_template and "How we use your comment" in comment_template


def test_the_notice_states_the_retention_periods_the_code_deletes_by(tmp_path):
    default = text_of(guide_app(tmp_path).test_client().get("/privacy/").get_data(as_text=True))
    assert "Help requests, with your name and contact details: 90 days." in default
    assert "Comments on sections: 365 days." in default

    changed = guide_app(tmp_path, request_retention_days=30, comment_retention_days=200)
    text = text_of(changed.test_client().get("/privacy/").get_data(as_text=True))
    assert "Help requests, with your name and contact details: 30 days." in text
    assert "Comments on sections: 200 days." in text
    form = text_of(changed.test_client().get("/request-help/").get_data(as_text=True))
    assert "We keep it for 30 days, then delete it." in form


def test_the_controller_and_its_contact_are_settings_the_organisation_fills_in(tmp_path):
    app = guide_app(tmp_path, privacy_controller="NHS Example Trust", data_protection_contact="dpo@example.nhs.uk")
    text = text_of(app.test_client().get("/privacy/").get_data(as_text=True))
    assert "The data controller is NHS Example Trust." in text
    assert text.count("contact dpo@example.nhs.uk") == 2


def test_the_notice_covers_what_the_right_to_be_informed_needs(client):
    text = text_of(client.get("/privacy/").get_data(as_text=True))
    for heading in (
        "Who we are",
        "What we collect and why",
        "Our lawful basis",
        "Who receives your details",
        "How long we keep your details",
        "Your rights",
        "If you are unhappy",
    ):
        assert heading in text, heading
    assert "Article 6(1)(e)" in text and "We do not rely on your consent." in text
    assert "GOV.UK Notify" in text and "processors" in text
    for right in ("(access)", "(rectification)", "(erasure)", "(objection)"):
        assert right in text, right
    assert "Information Commissioner's Office (ICO)" in text


def test_the_cookies_page_names_every_key_the_scripts_store(client):
    scripts = sorted((PROJECT_ROOT / "assets" / "js").rglob("*.mjs"))
    keys = {key for script in scripts for key in STORAGE_KEY.findall(script.read_text(encoding="utf-8"))}
    assert "gp-practice-migration-guide:go-live" in keys, keys  # the pattern finds the keys at all
    page = client.get("/cookies/").get_data(as_text=True)
    assert {key for key in keys if f"<code>{key}</code>" not in page} == set()
    assert "This website sets no cookies." in page
