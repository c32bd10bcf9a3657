from django.urls import path

from waypoint.mastery import views

urlpatterns = [
    path("evidence/<int:evidence_id>/score/", views.evidence_score, name="evidence-score"),
    path("students/<int:student_id>/mastery/", views.student_mastery, name="student-mastery"),
    path(
        "students/<int:student_id>/mastery/<int:competency_id>/history/",
        views.student_level_history,
        name="student-mastery-history",
    ),
    path("gradebooks/", views.gradebooks, name="gradebooks"),
    path("sections/<int:section_id>/gradebook/", views.section_gradebook, name="section-gradebook"),
    path("learning/how-it-works/", views.how_learning_is_measured, name="how-learning-is-measured"),
    path(
        "frameworks/<int:framework_id>/calculation/",
        views.framework_calculation,
        name="framework-calculation",
    ),
]
