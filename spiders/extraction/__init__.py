"""Extraction: plain functions from HTML, feeds, sitemaps and REST JSON to typed items."""

from spiders.extraction.page import extract_post, is_wordpress

__all__ = ["extract_post", "is_wordpress"]
