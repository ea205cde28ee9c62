"""How well a listing fits a need: a score out of 100 and the reasons, in Chinese and English. Pure (no database).

- Terms (50): the need's words found in the listing. Chinese has no spaces, so the need's Chinese text is cut at
  punctuation and common function words, and each run is matched by its longest pieces (two characters or more)
  found in the listing's title, abstract or claims: "膜过滤技术" finds "膜过滤" in "一种陶瓷膜过滤装置". Latin-script
  words match whole or by a shared stem ("filters" ~ "filtering"). The title's words weigh 35, the description's 15;
  a term found in the listing's title counts more than one found only in its abstract.
- Field (20): the listing is in the need's WIPO technology field.
- Budget (20): what is paid up front (a lump sum or an entry fee) within the need's ceiling; a running royalty alone
  asks nothing up front (15); no ceiling given: any price fits.
- Remaining life (10): years of protection left (10+ years: 10; 5+: 7; 2+: 4; less: 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from market.integrations.search import SearchDocument
from market.kit.messages import Bp, Msg
from market.kit.money import Money

HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]{2,}")
# Split Chinese at these (function words, and words every patent or need has, which match anything).
HAN_STOP = re.compile(  # words: data
    "一种|我们|我司|本公司|需要|寻找|希望|获得|用于|以及|或者|相关|方面|领域|技术|方法|装置|系统|设备|产品|专利|许可|生产|"
    "进行|提供|实现|基于|能够|可以|具有|包括|其中|通过|一个|用来|主要|目前|现有|"
    "[的和与及或等在对用为是了中上下其该所将把被从向于之而且并]"
)
LATIN_STOP = frozenset({
    "the", "and", "for", "with", "from", "that", "this", "which", "into", "using", "use", "used", "method", "methods",
    "system", "systems", "device", "devices", "apparatus", "based", "our", "need", "needs", "looking", "want",
    "technology", "technologies", "patent", "patents", "licence", "license", "new",
})  # fmt: skip
MIN_HAN = 2
MAX_QUERIES = 24
ALERT_MIN_SCORE = 45

TITLE_WEIGHT, DESCRIPTION_WEIGHT = 35, 15
FIELD_POINTS, BUDGET_POINTS, ROYALTY_ONLY_POINTS, LIFE_POINTS = 20, 20, 15, 10


@dataclass(frozen=True)
class NeedFacts:
    title: str
    description: str = ""
    tech_field: int | None = None  # WIPO field number
    budget_max_minor: int | None = None


@dataclass(frozen=True)
class Reason:
    code: str  # terms, field, budget, life
    points: int
    max_points: int
    message: Msg


@dataclass(frozen=True)
class Match:
    score: int
    matched_terms: list[str]
    reasons: list[Reason] = field(default_factory=list)
    text_points: int = 0
    field_match: bool = False

    @property
    def relevant(self) -> bool:
        """Worth showing: some of the need's words are in the listing, or it is in the need's field."""
        return self.text_points > 0 or self.field_match

    @property
    def alert_worthy(self) -> bool:
        return self.relevant and self.score >= ALERT_MIN_SCORE


def han_terms(text: str) -> list[str]:
    """The Chinese runs of ``text`` cut at stop words, two characters or more, each once, in order."""
    out: dict[str, None] = {}
    for run in HAN_RUN.findall(text):
        for part in HAN_STOP.split(run):
            if len(part) >= MIN_HAN:
                out.setdefault(part, None)
    return list(out)


def latin_terms(text: str) -> list[str]:
    out: dict[str, None] = {}
    for word in LATIN_WORD.findall(text):
        low = word.lower()
        if low not in LATIN_STOP:
            out.setdefault(low, None)
    return list(out)


def query_terms(need: NeedFacts) -> list[str]:
    """What to ask the search index for candidates (each term alone, results merged): every Chinese run of four
    characters or fewer whole, longer ones by their three-character pieces, and the Latin-script words; the
    title's first."""
    out: dict[str, None] = {}
    for text in (need.title, need.description):
        for term in han_terms(text):
            if len(term) <= 4:
                out.setdefault(term, None)
            else:
                for i in range(len(term) - 2):
                    out.setdefault(term[i : i + 3], None)
        for word in latin_terms(text):
            out.setdefault(word, None)
    return list(out)[:MAX_QUERIES]


def _han_pieces(term: str, haystack: str) -> list[str]:
    """The longest pieces (two characters or more) of ``term`` found in ``haystack``, left to right, no overlap."""
    found, i = [], 0
    while i < len(term) - 1:
        j = len(term)
        while j - i >= MIN_HAN and term[i:j] not in haystack:
            j -= 1
        if j - i >= MIN_HAN:
            found.append(term[i:j])
            i = j
        else:
            i += 1
    return found


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "ies", "es", "ed", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(w.lower()) for w in LATIN_WORD.findall(text)}


def _coverage(text: str, title: str, body: str, body_words: set[str], title_words: set[str]) -> tuple[float, list[str]]:
    """Share of ``text``'s terms (weighted by length) found in the listing, a term in the listing's title counting
    fully and one only in its body counting 0.7; and the pieces found."""
    total = 0.0
    got = 0.0
    matched: list[str] = []
    for term in han_terms(text):
        total += len(term)
        for piece in _han_pieces(term, title + body):
            got += len(piece) * (1.0 if piece in title else 0.7)
            matched.append(piece)
    for word in latin_terms(text):
        total += 3
        stem = _stem(word)
        if stem in title_words or stem in body_words:
            got += 3 * (1.0 if stem in title_words else 0.7)
            matched.append(word)
    return (min(1.0, got / total) if total else 0.0), matched


def score(need: NeedFacts, doc: SearchDocument) -> Match:
    title = f"{doc.title_zh} {doc.title_en}"
    body = f"{doc.abstract_zh} {doc.abstract_en} {doc.claims_excerpt}"
    title_words, body_words = _words(title), _words(body)
    cov_title, got_title = _coverage(need.title, title, body, body_words, title_words)
    cov_desc, got_desc = _coverage(need.description, title, body, body_words, title_words)
    if not han_terms(need.description) and not latin_terms(need.description):
        cov_desc = cov_title  # no description: the title speaks for both
    matched = list(dict.fromkeys(got_title + got_desc))
    text_points = round(TITLE_WEIGHT * cov_title + DESCRIPTION_WEIGHT * cov_desc)
    reasons: list[Reason] = []
    if matched:
        found = Msg("need.reason.terms_found", {"terms": tuple(matched[:8])})
        reasons.append(Reason("terms", text_points, TITLE_WEIGHT + DESCRIPTION_WEIGHT, found))
    else:
        reasons.append(Reason("terms", 0, 50, Msg("need.reason.terms_none")))

    field_match = need.tech_field is not None and f"f{need.tech_field}" in doc.tech_fields
    field_points = FIELD_POINTS if field_match else 0
    if need.tech_field is not None:
        reasons.append(
            Reason("field", field_points, FIELD_POINTS, Msg("need.reason.in_field"))
            if field_match
            else Reason("field", 0, FIELD_POINTS, Msg("need.reason.not_in_field"))
        )

    budget_points, budget_reason = _budget(need, doc)
    reasons.append(budget_reason)
    life_points = (
        10 if doc.remaining_years >= 10 else 7 if doc.remaining_years >= 5 else 4 if doc.remaining_years >= 2 else 1
    )
    reasons.append(
        Reason("life", life_points, LIFE_POINTS, Msg("need.reason.life", {"years": f"{doc.remaining_years:.1f}"}))
    )
    total = text_points + field_points + budget_points + life_points
    return Match(
        score=max(0, min(100, total)),
        matched_terms=matched,
        reasons=reasons,
        text_points=text_points,
        field_match=field_match,
    )


def _budget(need: NeedFacts, doc: SearchDocument) -> tuple[int, Reason]:
    price = Money("CNY", doc.price_minor)
    if doc.payment_mode == "running_royalty":
        royalty = Msg("need.reason.royalty_only", {"rate": Bp(doc.royalty_rate_bp or 0)})
        return ROYALTY_ONLY_POINTS, Reason("budget", ROYALTY_ONLY_POINTS, BUDGET_POINTS, royalty)
    what = Msg("need.reason.one_off_fee" if doc.payment_mode == "lump_sum" else "need.reason.entry_fee")
    if need.budget_max_minor is None:
        no_ceiling = Msg("need.reason.no_budget", {"what": what, "price": price})
        return BUDGET_POINTS, Reason("budget", BUDGET_POINTS, BUDGET_POINTS, no_ceiling)
    budget = Money("CNY", need.budget_max_minor)
    if doc.price_minor <= need.budget_max_minor:
        within = Msg("need.reason.within_budget", {"what": what, "price": price, "budget": budget})
        return BUDGET_POINTS, Reason("budget", BUDGET_POINTS, BUDGET_POINTS, within)
    over = Money("CNY", doc.price_minor - need.budget_max_minor)
    return 0, Reason(
        "budget", 0, BUDGET_POINTS, Msg("need.reason.over_budget", {"what": what, "price": price, "over": over})
    )
