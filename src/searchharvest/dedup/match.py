"""Pairwise verdicts: is this pair the same work, and why (or why it can never be)?

Every rule that keeps records apart is a hard veto checked before any similarity score:
a notice (erratum, retraction) and its article, differing part numbers, differing DOIs,
a conference paper and a journal article, years too far apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from searchharvest.dedup.config import DedupConfig
from searchharvest.dedup.normalize import Features, doi_stem


@dataclass(frozen=True, slots=True)
class Verdict:
    """A positive match: the reason shown to the user and the title score."""

    reason: str
    score: float
    related_only: bool = False
    """True for a preprint and its published version under `preprints="link"`."""


def dois_conflict(a: str | None, b: str | None) -> bool:
    """Two present DOIs that are not versions of one DOI (`.pub2`/`.pub3`, `/v1`/`/v2`)."""
    return a is not None and b is not None and a != b and doi_stem(a) != doi_stem(b)


_JOURNAL_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "d", "la"})
_PARTICLES = frozenset(
    {"le", "la", "de", "des", "du", "di", "da", "del", "della", "dos", "das", "van", "von",
     "vande", "vanden", "vander", "der", "den", "ten", "ter", "al", "el", "st", "saint"}
)  # fmt: skip
"""What one database keeps before a family name and another drops (`Le Quintrec`)."""


def _journals_agree(a: str, b: str) -> bool:
    """Same journal, allowing ISO abbreviations (`j clin oncol` ~ `journal of clin...`)."""
    if not a or not b:
        return False
    if a == b:
        return True
    ta = [t for t in a.split() if t not in _JOURNAL_STOPWORDS]
    tb = [t for t in b.split() if t not in _JOURNAL_STOPWORDS]
    if [a] == ta and len(tb) > 1 and a == "".join(t[0] for t in tb):
        return True  # An acronym: `bmj` ~ `british medical journal`.
    if [b] == tb and len(ta) > 1 and b == "".join(t[0] for t in ta):
        return True
    pairs = zip(ta, tb, strict=False)
    if len(ta) == len(tb) and all(_abbreviates(x, y) or _abbreviates(y, x) for x, y in pairs):
        return True
    return fuzz.token_set_ratio(a, b) >= 90


def _abbreviates(short: str, word: str) -> bool:
    """ISO 4 style: `short` keeps the first letter of `word` and others in order
    (`natl` ~ `national`, `syst` ~ `systems`, `j` ~ `journal`)."""
    if not short or short[0] != word[0] or len(short) > len(word):
        return False
    rest = iter(word[1:])
    return all(letter in rest for letter in short[1:])


def _authors_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    first_a, first_b = a[0], b[0]
    if first_a == first_b or Indel.normalized_similarity(first_a, first_b) >= 0.85:
        return True
    short, long = (first_a, first_b) if len(first_a) < len(first_b) else (first_b, first_a)
    if long.endswith(short) and long[: len(long) - len(short)] in _PARTICLES:
        return True
    # Databases sometimes drop or reorder the first author (group authors).
    if len(a) > 2 and len(b) > 2 and a[1:3] == b[1:3]:
        return True
    return len(a) > 1 and len(b) > 1 and (first_a in b[:3] or first_b in a[:3]) and a[1] in b


def vetoed(a: Features, b: Features, config: DedupConfig) -> bool:
    """Whether the pair can never be merged, whatever its similarity."""
    if a.notice != b.notice or a.parts != b.parts:
        return True
    if a.conference != b.conference and not (a.in_supplement or b.in_supplement):
        return True
    cochrane = a.article_id.startswith("cd") and a.article_id == b.article_id
    if a.year is not None and b.year is not None and not cochrane:
        tolerance = config.year_tolerance + (2 if a.preprint != b.preprint else 0)
        if abs(a.year - b.year) > tolerance:
            return True
    if a.pmid is not None and b.pmid is not None and a.pmid != b.pmid:
        return True
    preprint_pair = a.preprint != b.preprint
    return dois_conflict(a.doi, b.doi) and not preprint_pair


def substituted_words(a: str, b: str) -> bool:
    """Whether each title has a word the other lacks (not a typo of one of its words).

    `... in Pediatric Patients` vs `... in Adult Patients` scores 95 but names two trials;
    an added subtitle or a typo is not a substitution.
    """
    only_a = set(a.split()) - set(b.split())
    only_b = set(b.split()) - set(a.split())
    unmatched = [w for w in only_a if not any(_variant(w, v) for v in only_b)]
    return bool(unmatched) and any(not any(_variant(v, w) for w in only_a) for v in only_b)


MIN_TRUNCATED = 50
"""Letters a cut-off title must keep to be matched by its beginning alone."""


def truncated(a: str, b: str) -> bool:
    """Whether one folded title is the other cut off inside a word by a length limit.

    Some exports cap the title length (`... in adult patie`). A cut between words is not
    enough: `X` and `X: study protocol` are two papers.
    """
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= MIN_TRUNCATED and long.startswith(short) and long[len(short)] != " "


def _variant(a: str, b: str) -> bool:
    """A typo, or words run together (`cell lung` ~ `celllung`), or a truncated last word."""
    return Indel.normalized_similarity(a, b) >= 0.75 or (
        min(len(a), len(b)) >= 3 and (a in b or b in a)
    )


def _evidence(a: Features, b: Features) -> list[str] | None:
    """Fields that agree, or None when a field present on both sides disagrees.

    Two exceptions keep known variants of one work comparable: versions of one DOI
    (Cochrane `.pub2`/`.pub3`) may differ in issue, and an online-first copy (no volume
    yet) may differ in pages.
    """
    versions = a.doi is not None and b.doi is not None and a.doi != b.doi
    online_first = not a.volume or not b.volume
    evidence = ["title"]
    if a.year is not None and b.year is not None:
        evidence.append("year")
    if a.families and b.families and _authors_agree(a.families, b.families):
        evidence.append("author")
    if a.volume and b.volume:
        if a.volume != b.volume:
            return None
        evidence.append("volume")
    if a.issue and b.issue and a.issue != b.issue and not versions and not online_first:
        return None
    if a.pages and b.pages:
        if a.pages & b.pages:
            evidence.append("pages")
        elif not online_first and bool(a.article_id) == bool(b.article_id):
            return None
    if _journals_agree(a.journal, b.journal):
        evidence.append("journal")
    return evidence


def _mistyped_pages(a: Features, b: Features, score: float, config: DedupConfig) -> Verdict | None:
    """Everything agrees but the pages: one database mistyped them or numbered them its way.

    Title, the whole author list, journal, volume and exact year agree. Both sides must
    give a range of pages, as an erratum filed under its article's title in a later issue
    is one page and must stay apart; or both are one page and one is a meeting abstract
    in a supplement, which databases cite by abstract number or by page.
    """
    meeting_abstract = (a.in_supplement or b.in_supplement) and len(a.pages) == len(b.pages) == 1
    same = (
        score >= config.title_threshold
        and bool(a.families)
        and a.families == b.families
        and a.year is not None
        and a.year == b.year
        and bool(a.volume)
        and a.volume == b.volume
        and (not a.issue or not b.issue or a.issue == b.issue)
        and (len(a.pages) == len(b.pages) == 2 or meeting_abstract)
        and not (a.article_id or b.article_id)
        and not (a.generic or b.generic)
        and a.numbers == b.numbers
        and _journals_agree(a.journal, b.journal)
    )
    if not same or (score < 100 and substituted_words(a.title, b.title)):
        return None
    return Verdict(f"title+year+author+volume+journal, pages differ (score {score:.1f})", score)


def compare(a: Features, b: Features, config: DedupConfig) -> Verdict | None:
    """The verdict on one candidate pair, or None when it is not (provably) a duplicate.

    The title must be similar, and the more the title differs the more of the citation
    (author, year, volume, first page, journal) must agree; generic titles (`Editorial`,
    `Reply`, short titles) need the whole citation.
    """
    if not a.title or not b.title or vetoed(a, b, config):
        return None
    score = fuzz.ratio(a.title, b.title)
    evidence = _evidence(a, b)
    if evidence is None:
        return _mistyped_pages(a, b, score, config)
    has = set(evidence)
    preprint_pair = a.preprint != b.preprint
    exact_year = a.year is not None and a.year == b.year
    # A year missing on one side does not disagree: in one journal, volume and pages date
    # the article.
    undated = (a.year is None) != (b.year is None) and "journal" in has
    citation = {"volume", "pages"} <= has and (exact_year or undated)
    # Volume, both ends of the page range and the year: no second article has them.
    full_citation = citation and len(a.pages) == 2 and a.pages == b.pages
    if a.numbers - b.numbers and b.numbers - a.numbers and not full_citation:
        return None
    authors_known = bool(a.families and b.families)
    other_journal = (
        bool(a.journal and b.journal)
        and "journal" not in has
        and not citation
        and not (a.conference or b.conference or a.in_supplement or b.in_supplement)
        and not preprint_pair
    )
    if other_journal and fuzz.token_set_ratio(a.journal, b.journal) < 60:
        return None  # Different journals (a reprint, a journal-club digest); venues of
        # one conference are named too many ways to compare.
    if a.generic or b.generic:
        # Same volume and pages; the year may still be online-first versus print.
        whole = {"volume", "pages", "author", "journal"} <= has
        ok = whole and score >= config.title_threshold
    elif "author" in has or not authors_known:
        # Authors agree (or one side has none): the usual case.
        if score >= config.title_threshold or truncated(a.title, b.title):
            close_year = exact_year or preprint_pair or undated
            ok = len(has) >= 4 or (close_year and len(has) >= 3 and authors_known)
            ok = ok and not (other_journal and len(has) < 4)
            ok = ok and (citation or score == 100 or not substituted_words(a.title, b.title))
        elif citation and ("author" in has or full_citation):
            # Same citation, title reworded (`MEDICAL PROGRESS: X` ~ `X`) or, when the whole
            # page range agrees, translated (`[Comparison of ...]` vs the original title).
            score = max(score, fuzz.token_set_ratio(a.title, b.title))
            floor = (
                config.citation_title_threshold if full_citation else config.loose_title_threshold
            )
            ok = score >= floor
        elif {"author", "volume", "journal"} <= has and exact_year:
            # Pages unknown on one side: a reworded title in the same volume, when no
            # word was swapped for another (`adult` vs `adolescent`).
            ok = score >= config.loose_title_threshold and not substituted_words(a.title, b.title)
        else:
            ok = False
    else:
        # Authors disagree (group author, inverted names): only an identical citation.
        ok = citation and score >= 98
    if not ok:
        return None
    related = preprint_pair and config.preprints == "link"
    label = "preprint+" if preprint_pair else ""
    return Verdict(f"{label}{'+'.join(evidence)} (score {score:.1f})", round(score, 1), related)
