"""Item pipelines: clean, validate and store items in the archive."""
