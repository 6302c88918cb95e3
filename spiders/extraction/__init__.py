"""Extraction: plain functions from HTML, feeds, sitemaps and REST JSON to typed items."""

from spiders.extraction._native import choose_build

BUILD = choose_build()  # "compiled" (mypyc) or "python"; decided before the modules load

from spiders.extraction.page import extract_post, is_wordpress  # noqa: E402

__all__ = ["BUILD", "extract_post", "is_wordpress"]
