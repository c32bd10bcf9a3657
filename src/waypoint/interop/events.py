"""The notification kinds of the interop app (filled in by the roster and sign-in work)."""
