"""The ways into a blog, one class each: REST API, sitemaps, feed, the blog's own links."""
