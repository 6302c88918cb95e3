"""Faults injected into real crawls (tests only)."""
