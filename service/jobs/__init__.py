"""Bulk work: jobs of many articles on Redis, run by RQ workers; webhooks; the batch command."""
