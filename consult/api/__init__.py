"""REST API v1. Views stay thin: they parse, call a service, serialise."""
