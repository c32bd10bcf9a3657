from django.urls import path

from waypoint.pathways import views

urlpatterns = [
    path("students/<int:student_id>/profile/", views.profile, name="learner-profile"),
    path("students/<int:student_id>/profile/edit/", views.profile_edit, name="learner-profile-edit"),
    path("students/<int:student_id>/profile/history/", views.profile_history, name="learner-profile-history"),
    path(
        "students/<int:student_id>/profile/comments/", views.profile_comment, name="learner-profile-comment"
    ),
    path("students/<int:student_id>/plan/", views.plan, name="success-plan"),
    path("students/<int:student_id>/plan/goals/new/", views.goal_new, name="plan-goal-new"),
    path("students/<int:student_id>/plan/reviews/", views.plan_review, name="plan-review"),
    path("students/<int:student_id>/plan/acknowledge/", views.plan_acknowledge, name="plan-acknowledge"),
    path("students/<int:student_id>/recommendations/", views.recommendations, name="recommendations"),
    path("plan-goals/<int:goal_id>/edit/", views.goal_edit, name="plan-goal-edit"),
    path("opportunities/", views.catalog, name="opportunity-list"),
    path("opportunities/new/", views.opportunity_new, name="opportunity-new"),
    path("opportunities/templates/", views.opportunity_templates, name="opportunity-templates"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:opportunity_id>/edit/", views.opportunity_edit, name="opportunity-edit"),
    path("opportunities/<int:opportunity_id>/copy/", views.opportunity_copy, name="opportunity-copy"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_new, name="provider-new"),
    path("providers/<int:provider_id>/edit/", views.provider_edit, name="provider-edit"),
    path("paths/", views.path_list, name="path-list"),
    path("paths/new/", views.path_new, name="path-new"),
    path("paths/queue/", views.path_queue, name="path-queue"),
    path("paths/<int:path_id>/", views.path_detail, name="path-detail"),
    path("paths/<int:path_id>/edit/", views.path_edit, name="path-edit"),
    path("paths/<int:path_id>/decide/", views.path_decide, name="path-decide"),
    path("paths/<int:path_id>/status/", views.path_status, name="path-status"),
    path("access-report/", views.access_report, name="access-report"),
]
