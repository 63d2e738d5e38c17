"""Settings, read from the environment in one place.

Every setting has a default that works on a fresh machine with nothing set,
so `make serve` and `make test` need no configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Below this many pages (to render, or to freeze), starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 150
#: England's bank holidays, worked out once per version of the `holidays` library (see content.working_days).
BANK_HOLIDAYS_DIR = PROJECT_ROOT / "build" / "bank-holidays"


def worker_count() -> int:
    """Worker processes for rendering and freezing: one per core, at most 8."""
    return min(os.cpu_count() or 1, 8)


class ConfigurationError(RuntimeError):
    """Settings the guide cannot safely run with; the message says every one that is wrong."""


#: Work addresses the help request form accepts by default: NHSmail and NHS organisations.
DEFAULT_EMAIL_DOMAINS = ("nhs.net", "nhs.uk")
#: The shortest proxy signing secret production accepts: HS256's key should be at least its 256-bit output.
MIN_SECRET_BYTES = 32
DEFAULT_FALLBACK_PARTNER_EMAIL = "gp-migrations.fallback@example.org"


@dataclass(frozen=True)
class Settings:
    content_dir: Path = PROJECT_ROOT / "content"
    templates_dir: Path = PROJECT_ROOT / "templates"
    assets_dir: Path = PROJECT_ROOT / "assets"
    node_modules_dir: Path = PROJECT_ROOT / "node_modules"
    instance_dir: Path = PROJECT_ROOT / "instance"
    out_dir: Path = PROJECT_ROOT / "site"
    asset_build_dir: Path = PROJECT_ROOT / "build" / "assets"
    #: The pages the functions answer with, compiled to Python by the build (kept while their sources
    #: are unchanged, as the compiled assets are) and shipped in the Lambda bundle.
    compiled_templates_dir: Path = PROJECT_ROOT / "build" / "compiled-templates"
    #: Jinja's compiled templates (its bytecode cache), kept like Python's __pycache__: Jinja checks each
    #: template's source against it, so every build, `--no-cache` too, compiles only what changed.
    template_bytecode_dir: Path = PROJECT_ROOT / "build" / "jinja-bytecode"
    #: The last cut of the stylesheet (see publish.css_purge), kept like the compiled assets: a hash of
    #: everything PurgeCSS reads names it, so any build (`--no-cache` too) reuses it while those are unchanged.
    purged_css_dir: Path = PROJECT_ROOT / "build" / "purged-css"
    #: What the form functions know of the site; written by the build, shipped with the Lambda bundle.
    functions_manifest: Path = PROJECT_ROOT / "build" / "functions" / "manifest.json"
    #: Prefix the site is served under, such as "/prm-practice-migration"; "" for the root.
    base_path: str = ""
    #: Absolute address of the live site, for the sitemap and canonical links.
    site_url: str = "https://gp-practice-migration-guide.netlify.app"
    #: "production" turns on the checks that only matter for the live site.
    site_env: str = "development"
    #: While the guide is in beta it asks search engines not to index it.
    allow_indexing: bool = False
    #: Secrets and addresses with passwords are left out of `repr`, which logs and cache keys see.
    database_url: str = field(default="", repr=False)
    outbox_dir: Path | None = None
    notify_api_key: str = field(default="", repr=False)
    notify_base_url: str = ""
    use_render_cache: bool = True
    #: GOV.UK Notify template ids for the two help-request emails and the owners' weekly digest.
    notify_templates: dict = field(default_factory=lambda: {"partner": "", "requester": "", "digest": ""})
    #: Days a help request (with its personal data) is kept before `guide requests purge` deletes it.
    request_retention_days: int = 90
    #: Days a feedback comment is kept before it is blanked (the yes or no answer stays).
    comment_retention_days: int = 365
    #: Who the privacy notice names as the data controller, and how to reach its data protection officer.
    #: The organisation that runs the guide sets both (PRIVACY_CONTROLLER, DATA_PROTECTION_CONTACT).
    privacy_controller: str = "the team that runs the GP practice migration guide"
    data_protection_contact: str = "the data protection officer of the organisation that runs this guide"
    #: The AWS Lambda Function URL the form functions run at; the build proxies /api/* to it.
    functions_url: str = ""
    #: Origins, besides SITE_URL's, allowed to post the forms (ALLOWED_ORIGINS, comma-separated).
    extra_origins: frozenset[str] = frozenset()
    #: The secret Netlify signs proxied requests with (its `signed = "API_SIGNATURE_TOKEN"` rule).
    proxy_signing_secret: str = field(default="", repr=False)
    #: The Netlify site's ID (Project configuration, "Project ID"; NETLIFY_SITE_ID): when set, production
    #: believes only tokens that name it, as well as SITE_URL (see `expected_proxy_claims`).
    netlify_site_id: str = ""
    #: Email domains (and their subdomains) a help request may give as the requester's work address.
    allowed_email_domains: tuple[str, ...] = DEFAULT_EMAIL_DOMAINS

    def __post_init__(self):
        problems = []
        if not _is_origin_like(self.site_url):
            problems.append(
                f"SITE_URL must be an address with a scheme, like https://example.nhs.uk, not {self.site_url!r}"
            )
        for origin in sorted(self.extra_origins):
            if not _is_origin_like(origin):
                problems.append(f"ALLOWED_ORIGINS must hold origins like https://example.nhs.uk, not {origin!r}")
        if problems:
            raise ConfigurationError("; ".join(problems))

    #: A production build refuses a page whose review_due is more than this many days past.
    review_grace_days: int = 30
    #: `guide review` lists a fact of content/data/facts.yml last checked longer ago than this (about 6 months).
    fact_max_age_days: int = 183
    #: Where a help request goes when its ICB has no delivery partner, so none is ever routed nowhere.
    fallback_partner_email: str = DEFAULT_FALLBACK_PARTNER_EMAIL

    @classmethod
    def from_environment(cls, **overrides) -> Settings:
        env = os.environ
        settings = cls(
            instance_dir=Path(env.get("INSTANCE_DIR", PROJECT_ROOT / "instance")),
            functions_manifest=Path(env.get("FUNCTIONS_MANIFEST", cls.functions_manifest)),
            site_url=env.get("SITE_URL", cls.site_url).rstrip("/"),
            site_env=env.get("SITE_ENV", cls.site_env),
            allow_indexing=env.get("ALLOW_INDEXING", "").lower() in {"1", "true", "yes"},
            database_url=env.get("DATABASE_URL", ""),
            outbox_dir=Path(env["OUTBOX_DIR"]) if env.get("OUTBOX_DIR") else None,
            notify_api_key=env.get("NOTIFY_API_KEY", ""),
            notify_base_url=env.get("NOTIFY_BASE_URL", ""),
            functions_url=env.get("FUNCTIONS_URL", "").rstrip("/"),
            notify_templates={
                "partner": env.get("NOTIFY_TEMPLATE_PARTNER", ""),
                "requester": env.get("NOTIFY_TEMPLATE_REQUESTER", ""),
                "digest": env.get("NOTIFY_TEMPLATE_DIGEST", ""),
            },
            request_retention_days=int(env.get("REQUEST_RETENTION_DAYS", cls.request_retention_days)),
            comment_retention_days=int(env.get("COMMENT_RETENTION_DAYS", cls.comment_retention_days)),
            privacy_controller=env.get("PRIVACY_CONTROLLER", "").strip() or cls.privacy_controller,
            data_protection_contact=env.get("DATA_PROTECTION_CONTACT", "").strip() or cls.data_protection_contact,
            review_grace_days=int(env.get("REVIEW_GRACE_DAYS", cls.review_grace_days)),
            fact_max_age_days=int(env.get("FACT_MAX_AGE_DAYS", cls.fact_max_age_days)),
            fallback_partner_email=env.get("FALLBACK_PARTNER_EMAIL", "").strip() or cls.fallback_partner_email,
            extra_origins=frozenset(
                o.strip().rstrip("/") for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip()
            ),
            proxy_signing_secret=env.get("API_SIGNATURE_TOKEN", ""),
            netlify_site_id=env.get("NETLIFY_SITE_ID", "").strip(),
            allowed_email_domains=tuple(
                d.strip().lower().lstrip("@.") for d in env.get("ALLOWED_EMAIL_DOMAINS", "").split(",") if d.strip()
            )
            or DEFAULT_EMAIL_DOMAINS,
        )
        return settings.with_overrides(**overrides)

    def with_overrides(self, **overrides) -> Settings:
        overrides = {key: value for key, value in overrides.items() if value is not None}
        if "base_path" in overrides:
            overrides["base_path"] = normalise_base_path(overrides["base_path"])
        for key in (
            "content_dir",
            "out_dir",
            "instance_dir",
            "templates_dir",
            "functions_manifest",
            "compiled_templates_dir",
            "template_bytecode_dir",
            "purged_css_dir",
        ):
            if key in overrides:
                overrides[key] = Path(overrides[key])
        changed = replace(self, **overrides)
        # build/functions/ holds the real guide's manifest, which `make functions` ships: another content
        # folder's build writes its own in the instance folder instead, unless told where.
        other_content = changed.content_dir.resolve() != Settings.content_dir.resolve()
        if (
            other_content
            and "functions_manifest" not in overrides
            and self.functions_manifest == Settings.functions_manifest
        ):
            changed = replace(changed, functions_manifest=changed.instance_dir / "functions" / "manifest.json")
        return changed

    @property
    def cache_dir(self) -> Path:
        return self.instance_dir / "cache"

    @property
    def is_production(self) -> bool:
        return self.site_env == "production"

    @property
    def expected_proxy_claims(self) -> dict[str, str]:
        """What a Netlify proxy token must say in production, beyond its signature: made by the production
        deploy (`deploy_context`) of this site (`site_url`, compared by host: Netlify's record of a site's
        address may start http:// even when it is served on https; `netlify_id`, when NETLIFY_SITE_ID is set).
        A deploy preview, or another site given the same secret, signs with the same key but names another
        context or site, so it cannot sign for the live forms."""
        claims = {"deploy_context": "production", "site_url": urlsplit(self.site_url).netloc.lower()}
        if self.netlify_site_id:
            claims["netlify_id"] = self.netlify_site_id
        return claims

    def missing_for_forms(self) -> list[str]:
        """What the live form functions need and these settings lack; empty outside production."""
        if not self.is_production:
            return []
        missing = []
        if not self.notify_api_key:
            missing.append("NOTIFY_API_KEY (GOV.UK Notify)")
        missing += [
            f"NOTIFY_TEMPLATE_{name.upper()}"
            for name in ("partner", "requester")
            if not self.notify_templates.get(name)
        ]
        if not self.database_url.startswith(("postgresql://", "postgres://")):
            missing.append("DATABASE_URL naming PostgreSQL (postgresql://…)")
        if urlsplit(self.site_url).scheme != "https":
            missing.append("SITE_URL starting https://")
        if len(self.proxy_signing_secret.encode()) < MIN_SECRET_BYTES:
            missing.append(
                f"API_SIGNATURE_TOKEN (the secret Netlify signs proxied requests with) of at least"
                f" {MIN_SECRET_BYTES} bytes"
            )
        if any(urlsplit(origin).scheme != "https" for origin in self.extra_origins):
            missing.append("ALLOWED_ORIGINS holding only https:// origins")
        fallback_domain = self.fallback_partner_email.rpartition("@")[2].lower()
        if self.fallback_partner_email == DEFAULT_FALLBACK_PARTNER_EMAIL or not any(
            fallback_domain == d or fallback_domain.endswith("." + d) for d in self.allowed_email_domains
        ):
            missing.append("FALLBACK_PARTNER_EMAIL (a real address at " + " or ".join(self.allowed_email_domains) + ")")
        if self.notify_base_url and urlsplit(self.notify_base_url).scheme != "https":
            missing.append("NOTIFY_BASE_URL starting https:// (or unset, for GOV.UK Notify's own)")
        return missing

    def require_forms_ready(self) -> None:
        """Production refuses to start, with one message, rather than pretend to send or store."""
        if missing := self.missing_for_forms():
            raise ConfigurationError("SITE_ENV=production needs: " + ", ".join(missing))


def _is_origin_like(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc != "null"


def normalise_base_path(base_path: str) -> str:
    """'/prefix/' and 'prefix' both become '/prefix'; '/' and '' become ''."""
    base_path = (base_path or "").strip().strip("/")
    return f"/{base_path}" if base_path else ""
