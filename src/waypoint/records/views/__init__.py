"""The records app's pages, one module per area; each module's `urlpatterns` is collected by
`waypoint.records.urls`."""
