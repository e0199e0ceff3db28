"""Language names and ISO 639 codes, shared by the OpenAlex dialect and the local matcher.

PubMed's `[la]` takes English language names (`english[la]`); OpenAlex's `language`
filter and Crossref's `language` field hold ISO 639-1 codes (`en`); PubMed records hold
ISO 639-2 codes (`eng`). One table lets a query written in any of the three forms match
a record stored in any other.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final[dict[str, tuple[str, str]]] = {
    "afrikaans": ("af", "afr"),
    "arabic": ("ar", "ara"),
    "bulgarian": ("bg", "bul"),
    "catalan": ("ca", "cat"),
    "chinese": ("zh", "chi"),
    "croatian": ("hr", "hrv"),
    "czech": ("cs", "cze"),
    "danish": ("da", "dan"),
    "dutch": ("nl", "dut"),
    "english": ("en", "eng"),
    "estonian": ("et", "est"),
    "finnish": ("fi", "fin"),
    "french": ("fr", "fre"),
    "german": ("de", "ger"),
    "greek": ("el", "gre"),
    "hebrew": ("he", "heb"),
    "hindi": ("hi", "hin"),
    "hungarian": ("hu", "hun"),
    "icelandic": ("is", "ice"),
    "indonesian": ("id", "ind"),
    "italian": ("it", "ita"),
    "japanese": ("ja", "jpn"),
    "korean": ("ko", "kor"),
    "latvian": ("lv", "lav"),
    "lithuanian": ("lt", "lit"),
    "malay": ("ms", "may"),
    "norwegian": ("no", "nor"),
    "persian": ("fa", "per"),
    "polish": ("pl", "pol"),
    "portuguese": ("pt", "por"),
    "romanian": ("ro", "rum"),
    "russian": ("ru", "rus"),
    "serbian": ("sr", "srp"),
    "slovak": ("sk", "slo"),
    "slovenian": ("sl", "slv"),
    "spanish": ("es", "spa"),
    "swedish": ("sv", "swe"),
    "thai": ("th", "tha"),
    "turkish": ("tr", "tur"),
    "ukrainian": ("uk", "ukr"),
    "vietnamese": ("vi", "vie"),
}
"""English name → (ISO 639-1, ISO 639-2/B), the codes PubMed and the APIs use."""

_BY_CODE: Final[dict[str, str]] = {
    code: name for name, codes in LANGUAGES.items() for code in codes
}


def language_name(value: str) -> str | None:
    """The English name for a name or an ISO 639-1/-2 code, or None if unknown.

    >>> language_name("ENG"), language_name("English"), language_name("klingon")
    ('english', 'english', None)
    """
    key = value.strip().lower()
    if key in LANGUAGES:
        return key
    return _BY_CODE.get(key)


def iso639_1(value: str) -> str | None:
    """The two-letter code OpenAlex filters on, or None if the language is unknown.

    >>> iso639_1("french")
    'fr'
    """
    name = language_name(value)
    return LANGUAGES[name][0] if name else None
