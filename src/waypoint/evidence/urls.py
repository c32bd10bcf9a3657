from django.urls import path

from waypoint.evidence import views

urlpatterns = [
    path("evidence/inbox/", views.inbox, name="evidence-inbox"),
    path("evidence/new/", views.evidence_new, name="evidence-new"),
    path("evidence/<int:evidence_id>/", views.evidence_detail, name="evidence-detail"),
    path("evidence/<int:evidence_id>/revise/", views.evidence_revise, name="evidence-revise"),
    path("evidence/<int:evidence_id>/feedback/", views.evidence_feedback, name="evidence-feedback"),
    path(
        "evidence/<int:evidence_id>/competencies/", views.evidence_competencies, name="evidence-competencies"
    ),
    path("evidence/artifacts/<int:artifact_id>/", views.artifact_download, name="evidence-artifact"),
    path("students/<int:student_id>/evidence/", views.student_evidence, name="student-evidence"),
    path("students/<int:student_id>/observations/new/", views.observation_new, name="observation-new"),
    path("assessments/", views.assessment_list, name="assessment-list"),
    path("assessments/new/", views.assessment_new, name="assessment-new"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment-detail"),
]
