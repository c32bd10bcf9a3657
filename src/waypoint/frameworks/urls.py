from django.urls import path

from waypoint.frameworks import views

urlpatterns = [
    path("frameworks/", views.framework_list, name="framework-list"),
    path("frameworks/new/", views.framework_new, name="framework-new"),
    path("frameworks/import/", views.framework_import, name="framework-import"),
    path("frameworks/<int:framework_id>/", views.framework_detail, name="framework-detail"),
    path("frameworks/<int:framework_id>/drafts/", views.draft_new, name="framework-draft-new"),
    path("frameworks/<int:framework_id>/adopt/", views.framework_adopt, name="framework-adopt"),
    path("frameworks/versions/<int:version_id>/", views.version_detail, name="framework-version"),
    path("frameworks/versions/<int:version_id>/case.json", views.version_case, name="framework-version-case"),
    path("frameworks/versions/<int:version_id>/diff/", views.version_diff, name="framework-version-diff"),
    path(
        "frameworks/versions/<int:version_id>/discard/",
        views.version_discard,
        name="framework-version-discard",
    ),
    path(
        "frameworks/versions/<int:version_id>/retire/", views.version_retire, name="framework-version-retire"
    ),
    path(
        "frameworks/versions/<int:version_id>/publish/",
        views.version_publish,
        name="framework-version-publish",
    ),
    path(
        "frameworks/versions/<int:version_id>/competencies/new/",
        views.competency_new,
        name="competency-new",
    ),
    path("competencies/<int:competency_id>/", views.competency_detail, name="competency-detail"),
    path("competencies/<int:competency_id>/edit/", views.competency_edit, name="competency-edit"),
    path("competencies/<int:competency_id>/delete/", views.competency_delete, name="competency-delete"),
    path("competencies/<int:competency_id>/alignments/", views.alignment_new, name="alignment-new"),
    path("alignments/<int:alignment_id>/delete/", views.alignment_delete, name="alignment-delete"),
    path("scales/new/", views.scale_new, name="scale-new"),
    path("scales/<int:scale_id>/", views.scale_detail, name="scale-detail"),
    path("scales/<int:scale_id>/edit/", views.scale_edit, name="scale-edit"),
    path("rubrics/", views.rubric_list, name="rubric-list"),
    path("rubrics/new/", views.rubric_new, name="rubric-new"),
    path("rubrics/<int:rubric_id>/", views.rubric_detail, name="rubric-detail"),
    path("rubrics/<int:rubric_id>/edit/", views.rubric_edit, name="rubric-edit"),
]
