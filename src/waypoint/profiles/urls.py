from django.urls import path

from waypoint.profiles import views

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
    path("students/<int:student_id>/plan/target/", views.plan_target, name="plan-target"),
    path("students/<int:student_id>/plan/acknowledge/", views.plan_acknowledge, name="plan-acknowledge"),
    path("plan-goals/<int:goal_id>/edit/", views.goal_edit, name="plan-goal-edit"),
]
