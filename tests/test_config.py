"""Settings: defaults that work with nothing set, and production that refuses to start half-configured."""

import pytest

from migration_guide.config import ConfigurationError, Settings
from migration_guide.forms.app import create_functions_app

READY = {
    "SITE_ENV": "production",
    "SITE_URL": "https://guide.example.nhs.uk",
    "DATABASE_URL": "postgresql://guide:secret-password@db.internal:5432/guide",
    "NOTIFY_API_KEY": "live-key-0000",
    "NOTIFY_TEMPLATE_PARTNER": "partner-template",
    "NOTIFY_TEMPLATE_REQUESTER": "requester-template",
    "API_SIGNATURE_TOKEN": "a-random-secret-of-32-bytes-or-more-0123456789",
    "FALLBACK_PARTNER_EMAIL": "gp-migrations@nhs.net",
}


@pytest.fixture
def environment(monkeypatch):
    for name in [*READY, "ALLOWED_ORIGINS", "ALLOWED_EMAIL_DOMAINS", "NOTIFY_BASE_URL"]:
        monkeypatch.delenv(name, raising=False)

    def set_environment(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return Settings.from_environment()

    return set_environment


def test_with_nothing_set_the_settings_work_for_development(environment):
    settings = environment()
    assert settings.missing_for_forms() == []
    settings.require_forms_ready()
    assert settings.allowed_email_domains == ("nhs.net", "nhs.uk")


def test_production_with_everything_it_needs_starts(environment):
    environment(**READY).require_forms_ready()


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("NOTIFY_API_KEY", "", "NOTIFY_API_KEY"),
        ("NOTIFY_TEMPLATE_PARTNER", "", "NOTIFY_TEMPLATE_PARTNER"),
        ("NOTIFY_TEMPLATE_REQUESTER", "", "NOTIFY_TEMPLATE_REQUESTER"),
        ("DATABASE_URL", "", "DATABASE_URL naming PostgreSQL"),
        ("DATABASE_URL", "sqlite:////tmp/guide.sqlite3", "DATABASE_URL naming PostgreSQL"),
        ("SITE_URL", "http://guide.example.nhs.uk", "SITE_URL starting https://"),
        ("API_SIGNATURE_TOKEN", "", "API_SIGNATURE_TOKEN"),
        (
            "API_SIGNATURE_TOKEN",
            "x",
            "API_SIGNATURE_TOKEN (the secret Netlify signs proxied requests with) of at least 32",
        ),
        ("API_SIGNATURE_TOKEN", "a" * 31, "of at least 32 bytes"),
        ("ALLOWED_ORIGINS", "https://ok.nhs.uk,http://guide.example.nhs.uk", "ALLOWED_ORIGINS holding only https://"),
        ("FALLBACK_PARTNER_EMAIL", "", "FALLBACK_PARTNER_EMAIL (a real address at nhs.net or nhs.uk)"),
        ("FALLBACK_PARTNER_EMAIL", "team@gmail.com", "FALLBACK_PARTNER_EMAIL"),
        ("NOTIFY_BASE_URL", "http://api.notifications.service.gov.uk", "NOTIFY_BASE_URL starting https://"),
    ],
)
def test_production_refuses_to_start_without_each_thing_it_needs(environment, name, value, named):
    settings = environment(**{**READY, name: value})
    with pytest.raises(ConfigurationError, match="SITE_ENV=production needs: ") as refused:
        settings.require_forms_ready()
    assert named in str(refused.value)


def test_production_names_everything_missing_in_one_message(environment):
    with pytest.raises(ConfigurationError) as refused:
        environment(SITE_ENV="production").require_forms_ready()
    message = str(refused.value)
    for named in (
        "NOTIFY_API_KEY",
        "NOTIFY_TEMPLATE_PARTNER",
        "NOTIFY_TEMPLATE_REQUESTER",
        "DATABASE_URL",
        "API_SIGNATURE_TOKEN",
        "FALLBACK_PARTNER_EMAIL",
    ):
        assert named in message
    assert message.count("\n") == 0


def test_the_form_functions_refuse_to_start_in_production_without_notify(environment, tmp_path):
    settings = environment(**{**READY, "NOTIFY_API_KEY": ""})
    with pytest.raises(ConfigurationError, match="NOTIFY_API_KEY"):
        create_functions_app(settings.with_overrides(functions_manifest=tmp_path / "none.json"))


@pytest.mark.parametrize(
    ("name", "value"),
    [("SITE_URL", "guide.example.nhs.uk"), ("ALLOWED_ORIGINS", "null"), ("ALLOWED_ORIGINS", "https://ok.nhs.uk,null")],
)
def test_misconfigured_origins_are_refused_everywhere(environment, name, value):
    with pytest.raises(ConfigurationError, match=name):
        environment(**{name: value})


def test_secrets_never_appear_in_the_settings_repr(environment):
    text = repr(environment(**READY))
    for secret in ("secret-password", "live-key-0000", "proxy-secret-value"):
        assert secret not in text
    assert "https://guide.example.nhs.uk" in text


def test_allowed_email_domains_can_be_extended(environment):
    settings = environment(ALLOWED_EMAIL_DOMAINS="nhs.net, nhs.uk, @example-trust.org.uk")
    assert settings.allowed_email_domains == ("nhs.net", "nhs.uk", "example-trust.org.uk")
