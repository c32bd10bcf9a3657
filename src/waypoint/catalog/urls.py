from django.urls import path

from waypoint.catalog import views

urlpatterns = [
    path("opportunities/", views.catalog, name="opportunity-list"),
    path("opportunities/new/", views.opportunity_new, name="opportunity-new"),
    path("opportunities/templates/", views.opportunity_templates, name="opportunity-templates"),
    path("opportunities/<int:opportunity_id>/edit/", views.opportunity_edit, name="opportunity-edit"),
    path("opportunities/<int:opportunity_id>/copy/", views.opportunity_copy, name="opportunity-copy"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_new, name="provider-new"),
    path("providers/<int:provider_id>/edit/", views.provider_edit, name="provider-edit"),
]
