from django.urls import path

from waypoint.progress import views

urlpatterns = [
    # A student's pace and trajectory, advancements, readiness and conferences.
    path("students/<int:student_id>/trajectory/", views.trajectory, name="progress-trajectory"),
    path("students/<int:student_id>/advance/", views.advance, name="progress-advance"),
    path("students/<int:student_id>/test-ready/", views.test_ready, name="progress-test-ready"),
    path("students/<int:student_id>/supports/new/", views.support_new, name="progress-support-new"),
    path("students/<int:student_id>/conferences/new/", views.conference_new, name="progress-conference-new"),
    # Lists of work.
    path("progress/ready/", views.ready, name="progress-ready"),
    path("progress/testing/", views.testing, name="progress-testing"),
    path("progress/testing/<int:readiness_id>/sitting/", views.test_sitting, name="progress-test-sitting"),
    path("progress/alerts/", views.alerts, name="progress-alerts"),
    path("progress/alerts/<int:alert_id>/", views.alert_detail, name="progress-alert"),
    path("progress/alerts/<int:alert_id>/assign/", views.alert_assign, name="progress-alert-assign"),
    path("progress/supports/", views.supports, name="progress-supports"),
    path("progress/supports/<int:support_id>/", views.support_detail, name="progress-support"),
    path("progress/conferences/", views.conferences, name="progress-conferences"),
    path("progress/conferences/<int:conference_id>/", views.conference_detail, name="progress-conference"),
    path(
        "progress/conferences/<int:conference_id>/record/",
        views.conference_record,
        name="progress-conference-record",
    ),
    path(
        "progress/conferences/<int:conference_id>/share/",
        views.conference_share,
        name="progress-conference-share",
    ),
    path("progress/school-plan/", views.school_tasks, name="progress-school-tasks"),
    path(
        "progress/school-plan/<int:task_id>/done/", views.school_task_done, name="progress-school-task-done"
    ),
    # District administration: the inquiry's thresholds and what each course requires to move on.
    path("progress/inquiry-settings/", views.inquiry_settings, name="progress-inquiry-settings"),
    path("progress/advancement-rules/", views.advancement_rules, name="progress-advancement-rules"),
    path(
        "progress/advancement-rules/<int:rule_id>/", views.advancement_rule, name="progress-advancement-rule"
    ),
    # The state-wide repository.
    path("progress/repository/", views.repository, name="progress-repository"),
    path("progress/repository/exemplars/new/", views.exemplar_new, name="progress-exemplar-new"),
    path("progress/repository/practices/new/", views.practice_new, name="progress-practice-new"),
    path("progress/repository/practices/<int:practice_id>/", views.practice_detail, name="progress-practice"),
    path(
        "progress/repository/practices/<int:practice_id>/copy/",
        views.practice_copy,
        name="progress-practice-copy",
    ),
]
