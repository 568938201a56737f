"""Shared state: the Redis connection (embedded or configured), the result cache, idempotency."""
