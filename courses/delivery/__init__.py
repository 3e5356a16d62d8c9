"""Email delivery through an outbox: queue once per key, send later, retry with backoff."""
