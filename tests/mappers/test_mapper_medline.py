"""`read_nbib` on a PubMed-format file derived by hand from a real EFetch record.

`data/metapub_33474827.nbib` was written from `cassettes/pubmed/metapub__efetch_33474827.xml`
following NLM's MEDLINE element list, so both mappers must agree on it.
"""

from __future__ import annotations

import io

from searchharvest.mappers.medline import read_nbib
from searchharvest.mappers.pubmed import iter_pubmed_articles
from tests.mappers.conftest import DATA, cassette


def test_nbib_matches_the_efetch_record() -> None:
    with (DATA / "metapub_33474827.nbib").open(encoding="utf-8") as handle:
        [nbib] = list(read_nbib(handle))
    [xml] = iter_pubmed_articles(cassette("pubmed/metapub__efetch_33474827.xml"))
    same = ("ids", "title", "authors", "year", "publication_date", "journal", "issn")
    same += ("volume", "issue", "pages", "type", "language", "keywords", "mesh")
    same += ("publication_types", "url", "sources")
    for field in same:
        assert getattr(nbib, field) == getattr(xml, field), field
    assert nbib.abstract is not None
    assert nbib.abstract.startswith("BACKGROUND: Despite the emerging insights")


def test_nbib_old_style_authors_and_several_records() -> None:
    text = (
        "\nPMID- 1\nTI  - First\nAU  - Smith J\nAD  - Somewhere.\nCN  - The Group\n"
        "MH  - *Pain/drug therapy\nMH  - Humans\nDP  - 1998 Dec-1999 Jan\nLA  - fre\n"
        "\nPMID- 2\nTI  - Second\nPT  - Preprint\n"
    )
    first, second = read_nbib(io.StringIO(text))
    assert [(a.family, a.given, a.affiliations) for a in first.authors] == [
        ("Smith", "J", ("Somewhere.",)),
        ("The Group", None, ()),
    ]
    assert first.mesh == ("Pain*", "Humans")
    assert (first.publication_date, first.language) == ("1998-12", "fr")
    assert (second.ids.pmid, second.type) == ("2", "posted-content")
