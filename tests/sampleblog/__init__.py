"""A small imitation WordPress course blog, served on 127.0.0.1 for demos and end-to-end tests.

``data`` holds the content (the single source of truth), ``site`` answers requests the way a
WordPress 5.8 site with a classic theme would, and ``server`` serves it over HTTP.
"""
