"""Pure mappers: a raw API payload in, `Record`s (or small result values) out.

No I/O happens here; the connectors fetch, these read. Each source has one module:
`pubmed` (E-utilities XML), `medline` (PubMed-format .nbib files), `openalex` and
`crossref` (REST JSON); `jats` and `languages` are their shared helpers.
"""
