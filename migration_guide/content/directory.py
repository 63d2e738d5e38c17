"""Who takes a help request: England's ICBs and the delivery partner for each, from content/data/."""

from __future__ import annotations

from dataclasses import dataclass

#: Domains reserved for examples and tests (RFC 2606 and RFC 6761): never a real inbox.
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
EXAMPLE_TOP_LEVEL = (".example", ".test", ".invalid", ".localhost")
#: The key of the route a request takes when its ICB has no delivery partner.
FALLBACK_KEY = "fallback"


def is_example_address(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return (
        domain in EXAMPLE_DOMAINS
        or domain.endswith(tuple("." + d for d in EXAMPLE_DOMAINS))
        or domain.endswith(EXAMPLE_TOP_LEVEL)
    )


@dataclass(frozen=True)
class Partner:
    key: str
    name: str
    email: str
    replies_within: str
    phone: str = ""

    @classmethod
    def fallback(cls, email: str) -> Partner:
        """The guide's team, who pass a request on by hand (the FALLBACK_PARTNER_EMAIL setting)."""
        return cls(FALLBACK_KEY, "GP practice migration guide team", email, "5 working days")

    @property
    def is_example(self) -> bool:
        return is_example_address(self.email)


@dataclass(frozen=True)
class ICB:
    code: str
    name: str
    region: str
    status: str
    partner_key: str
    successors: tuple[str, ...]

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class Directory:
    icbs: dict[str, ICB]
    partners: dict[str, Partner]
    #: Takes the requests of an ICB with no delivery partner.
    fallback: Partner | None = None

    @classmethod
    def from_data(cls, data: dict, fallback: Partner | None = None) -> Directory:
        icbs_data = (data.get("icbs") or {}).get("icbs") or []
        partners_data = (data.get("delivery_partners") or {}).get("partners") or {}
        partners = {
            key: Partner(
                key,
                str(p.get("name", "")),
                str(p.get("email", "")),
                str(p.get("replies_within", "")),
                str(p.get("phone") or ""),
            )
            for key, p in partners_data.items()
        }
        icbs = {
            str(i["code"]): ICB(
                str(i["code"]),
                str(i["name"]),
                str(i.get("region", "")),
                str(i.get("status", "active")),
                str(i.get("delivery_partner") or ""),
                tuple(str(s) for s in i.get("successors") or []),
            )
            for i in icbs_data
        }
        return cls(icbs, partners, fallback)

    def active_icbs(self) -> list[ICB]:
        return sorted((icb for icb in self.icbs.values() if icb.is_active), key=lambda icb: icb.name)

    def partner_for(self, icb_code: str) -> Partner | None:
        icb = self.icbs.get(icb_code)
        return self.partners.get(icb.partner_key) if icb and icb.is_active else None

    def route(self, icb_code: str) -> Partner | None:
        """Who takes this ICB's requests: its delivery partner, or else the fallback."""
        return self.partner_for(icb_code) or self.fallback

    def problems(self, production: bool) -> list[str]:
        """What stops requests reaching a partner; in production, ICBs left to the fallback and example contacts too."""
        found = []
        for icb in self.icbs.values():
            if icb.is_active and icb.partner_key and icb.partner_key not in self.partners:
                found.append(f"ICB {icb.code} ({icb.name}) has no delivery partner '{icb.partner_key}'")
            elif icb.is_active and not icb.partner_key and production:
                found.append(
                    f"ICB {icb.code} ({icb.name}) has no delivery partner: its requests would go to the fallback"
                )
            for successor in icb.successors:
                if successor not in self.icbs:
                    found.append(f"ICB {icb.code} names successor {successor}, which is not in the list")
        for partner in self.partners.values():
            if "@" not in partner.email:
                found.append(f"delivery partner '{partner.key}' has no email address")
            if production and partner.is_example:
                found.append(f"delivery partner '{partner.key}' still has the example contact {partner.email}")
        return found
