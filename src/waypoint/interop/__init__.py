"""Interoperability: the REST API assembly (OpenAPI) now; OneRoster and other exchanges later."""
