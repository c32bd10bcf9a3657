from django.urls import path

from waypoint.pathways import views

urlpatterns = [
    path("students/<int:student_id>/recommendations/", views.recommendations, name="recommendations"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity-detail"),
    path("paths/", views.path_list, name="path-list"),
    path("paths/new/", views.path_new, name="path-new"),
    path("paths/queue/", views.path_queue, name="path-queue"),
    path("paths/<int:path_id>/", views.path_detail, name="path-detail"),
    path("paths/<int:path_id>/edit/", views.path_edit, name="path-edit"),
    path("paths/<int:path_id>/decide/", views.path_decide, name="path-decide"),
    path("paths/<int:path_id>/status/", views.path_status, name="path-status"),
    path("paths/<int:path_id>/evidence/", views.path_evidence_new, name="path-evidence-new"),
    path("access-report/", views.access_report, name="access-report"),
]
