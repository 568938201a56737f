"""Placeholder replaced by the rules engine (issue 3)."""
