"""The search page's list of synonyms, misspellings and offers (`content/data/search_terms.yml`).

Kept as data so the people who write the guide can add what readers type; the search page hands it
to `search.mjs`, which looks for every way of saying a term. Read here, checked for shape, never Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

FILE = Path("data") / "search_terms.yml"
#: Offers whose link is this are each role's checklist page, from the guide's checklists.
CHECKLISTS = "checklists"


@dataclass(frozen=True)
class Offer:
    words: tuple[str, ...]
    text: str
    link: str


@dataclass(frozen=True)
class SearchTerms:
    synonyms: tuple[tuple[str, ...], ...] = ()
    misspellings: dict[str, str] = field(default_factory=dict)
    offers: tuple[Offer, ...] = ()


class SearchTermsError(ValueError):
    pass


def load_search_terms(content_dir: Path) -> SearchTerms:
    """The file's terms, in lower case; no file, no terms. A file of the wrong shape is refused, naming it."""
    path = content_dir / FILE
    if not path.is_file():
        return SearchTerms()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        synonyms = tuple(tuple(str(term).lower() for term in group) for group in data.get("synonyms") or ())
        misspellings = {str(k).lower(): str(v).lower() for k, v in (data.get("misspellings") or {}).items()}
        offers = tuple(
            Offer(tuple(str(w).lower() for w in offer["words"]), str(offer.get("text", "")), str(offer["link"]))
            for offer in data.get("offers") or ()
        )
    except (AttributeError, KeyError, TypeError) as error:
        raise SearchTermsError(
            f"{path}: expected synonyms (lists), misspellings (a mapping), offers: {error}"
        ) from None
    if any(len(group) < 2 for group in synonyms):
        raise SearchTermsError(f"{path}: each synonyms line needs at least 2 ways of saying it")
    return SearchTerms(synonyms, misspellings, offers)
