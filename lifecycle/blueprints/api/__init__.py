"""JSON API v1 under /api/v1: personal API tokens, the same policy as the pages, an OpenAPI 3.1 document."""
