"""Field conversions shared by the flat formats (RIS, CSV, BibTeX)."""

from __future__ import annotations

from typing import IO

from searchharvest.records import Author


def stream_name(fp: IO[str]) -> str:
    """The file name of a stream for error messages, or `<stream>`."""
    name = getattr(fp, "name", None)
    return name if isinstance(name, str) else "<stream>"


def author_text(author: Author) -> str:
    """`Family, Given` (or the one part that exists)."""
    return author.display()


def author_from_text(text: str) -> Author | None:
    """Inverse of `author_text`: `Family, Given` → Author; a bare name is a family name."""
    text = text.strip()
    if not text:
        return None
    family, _, given = text.partition(",")
    return Author(family=family.strip() or None, given=given.strip() or None)


def split_list(text: str | None, sep: str = ";") -> tuple[str, ...]:
    """`a; b;; c` → (`a`, `b`, `c`)."""
    if not text:
        return ()
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """`288-297` → (`288`, `297`); `e1234` → (`e1234`, None)."""
    if not pages:
        return None, None
    first, sep, last = pages.replace("–", "-").partition("-")
    return first.strip() or None, (last.strip() or None) if sep else None


def join_pages(first: str | None, last: str | None) -> str | None:
    """Inverse of `split_pages`."""
    if first and last:
        return f"{first}-{last}"
    return first or last or None


def year_from(text: str | None) -> int | None:
    """Leading four-digit year of `2021`, `2021/03/04`, `2021-03`; else None."""
    if text and len(text) >= 4 and text[:4].isdigit():
        return int(text[:4])
    return None


def iso_date(text: str | None) -> str | None:
    """`2021/03/04/` or `2021-03` → ISO `2021-03-04` / `2021-03`; anything else → None."""
    if not text:
        return None
    parts = [p for p in text.replace("/", "-").split("-") if p.strip()]
    if not parts or not (len(parts[0]) == 4 and parts[0].isdigit()):
        return None
    clean = [parts[0]]
    for part in parts[1:3]:
        if not part.strip().isdigit():
            break
        clean.append(f"{int(part):02d}")
    return "-".join(clean)
