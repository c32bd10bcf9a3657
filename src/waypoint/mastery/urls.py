from django.urls import path

from waypoint.mastery import views

urlpatterns = [
    path("evidence/<int:evidence_id>/score/", views.evidence_score, name="evidence-score"),
    path("students/<int:student_id>/mastery/", views.student_mastery, name="student-mastery"),
    path("sections/<int:section_id>/gradebook/", views.section_gradebook, name="section-gradebook"),
    path(
        "frameworks/<int:framework_id>/calculation/",
        views.framework_calculation,
        name="framework-calculation",
    ),
]
