"""A small OpenID Connect provider (django-oidc-provider) that the sign-in tests start in a second process on
127.0.0.1: a district's identity provider, as Google Workspace or Microsoft Entra ID would be, but local.

It is its own Django project (its own settings, database and users); nothing of Waypoint is imported here.
`tests/interop/oidc_kit.py` starts it and drives it."""
