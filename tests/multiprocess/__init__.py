"""Helpers for tests that start real ASGI worker processes."""
