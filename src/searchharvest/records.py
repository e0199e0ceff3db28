"""The normalised bibliographic record shared by every source.

Identifiers are normalised once, in the validators of `Ids`, never in each connector:
a DOI is lower-cased with any `https://doi.org/` or `doi:` prefix and trailing
punctuation removed; an OpenAlex id is the bare `W…`; a PMID is digits; a PMCID is `PMC…`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
_OPENALEX_ID = re.compile(r"(?:https?://openalex\.org/)?(W\d+)$", re.IGNORECASE)
_PMID_URL = re.compile(
    r"^(?:https?://(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/|https?://pubmed\.ncbi\.nlm\.nih\.gov/)",
    re.I,
)
_PMCID_URL = re.compile(r"^https?://(?:www\.)?ncbi\.nlm\.nih\.gov/pmc/articles/", re.I)
_PMCID = re.compile(r"PMC\d+")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def normalize_doi(value: str | None) -> str | None:
    """`https://doi.org/10.1000/ABC.` → `10.1000/abc`; anything not DOI-shaped → None."""
    if value is None:
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".,;")
    doi = doi.lower()
    return doi if _DOI_SHAPE.match(doi) else None


def normalize_pmid(value: str | int | None) -> str | None:
    if value is None:
        return None
    text = _PMID_URL.sub("", str(value).strip()).strip("/ ")
    return text if text.isdigit() and text != "0" else None


def normalize_pmcid(value: str | None) -> str | None:
    if value is None:
        return None
    text = _PMCID_URL.sub("", value.strip()).strip("/ ").upper()
    if text.isdigit():
        text = "PMC" + text
    return text if _PMCID.fullmatch(text) else None


def normalize_openalex(value: str | None) -> str | None:
    if value is None:
        return None
    match = _OPENALEX_ID.search(value.strip())
    return match.group(1).upper() if match else None


def _strip_or_none(value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return value


CleanStr = Annotated[str | None, BeforeValidator(_strip_or_none)]


class Ids(BaseModel):
    """Identifiers of one work; each normalised on the way in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    openalex: str | None = None

    @field_validator("doi", mode="before")
    @classmethod
    def _doi(cls, v: Any) -> str | None:
        return normalize_doi(v) if isinstance(v, str) else None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid(cls, v: Any) -> str | None:
        return normalize_pmid(v) if isinstance(v, str | int) else None

    @field_validator("pmcid", mode="before")
    @classmethod
    def _pmcid(cls, v: Any) -> str | None:
        return normalize_pmcid(v) if isinstance(v, str) else None

    @field_validator("openalex", mode="before")
    @classmethod
    def _openalex(cls, v: Any) -> str | None:
        return normalize_openalex(v) if isinstance(v, str) else None

    def keys(self) -> list[str]:
        """Prefixed identifiers (`doi:…`, `pmid:…`) used for exact de-duplication."""
        return [f"{name}:{value}" for name, value in self if value]


class Author(BaseModel):
    """One author: family and given names as the source gives them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family: CleanStr = None
    given: CleanStr = None
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()

    @field_validator("orcid", mode="before")
    @classmethod
    def _orcid(cls, v: Any) -> str | None:
        if not isinstance(v, str):
            return None
        match = _ORCID.search(v.upper())
        return match.group(1) if match else None

    def display(self) -> str:
        """`Family, Given` (or whichever part exists)."""
        return ", ".join(part for part in (self.family, self.given) if part)


class ChainOrigin(BaseModel):
    """How citation chaining reached a record (the database is `Provenance.database`).

    Attributes:
        seeds: keys of the seeds whose citation trail led here (`doi:…`, `pmid:…`).
        direction: `references` (cited by the work before it) or `citations` (citing it).
        generation: 1 for works linked to a seed directly, 2 for the next step, ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    seeds: tuple[str, ...]
    direction: Literal["references", "citations"]
    generation: int = Field(ge=1)


class Provenance(BaseModel):
    """Where and how a record was retrieved."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database: str
    native_query: str
    retrieved: datetime
    library_version: str
    chain: ChainOrigin | None = None
    """Set on records found by citation chaining; None for records from a search."""


class Record(BaseModel):
    """One bibliographic record, the same shape for every source.

    JSON Lines output uses exactly these key names (`model_dump(mode="json")`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ids: Ids = Field(default_factory=Ids)
    title: CleanStr = None
    abstract: str | None = None
    authors: tuple[Author, ...] = ()
    year: int | None = None
    publication_date: str | None = None
    """ISO date, as precise as the source gives it: `2021`, `2021-03` or `2021-03-04`."""
    journal: CleanStr = None
    issn: tuple[str, ...] = ()
    volume: CleanStr = None
    issue: CleanStr = None
    pages: CleanStr = None
    type: CleanStr = None
    language: CleanStr = None
    keywords: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    """MeSH descriptor names; a major topic is marked with a trailing `*` (`Humans*`)."""
    publication_types: tuple[str, ...] = ()
    url: CleanStr = None
    sources: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()

    @field_validator("abstract", mode="before")
    @classmethod
    def _abstract(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = "\n".join(" ".join(line.split()) for line in v.strip().splitlines())
            return v.strip() or None
        return v

    @field_validator("publication_date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, str) and not _ISO_DATE.fullmatch(v):
            raise ValueError(f"publication_date must be YYYY, YYYY-MM or YYYY-MM-DD, not {v!r}")
        return v

    @property
    def key(self) -> str:
        """A stable identity for this record: its first identifier, else title + year."""
        keys = self.ids.keys()
        if keys:
            return keys[0]
        return f"title:{(self.title or '').lower()}|{self.year}"

    @property
    def mesh_headings(self) -> tuple[str, ...]:
        """MeSH descriptor names without the major-topic mark."""
        return tuple(m.rstrip("*") for m in self.mesh)

    @property
    def mesh_major(self) -> tuple[str, ...]:
        return tuple(m.rstrip("*") for m in self.mesh if m.endswith("*"))
