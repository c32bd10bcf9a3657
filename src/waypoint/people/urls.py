from django.contrib.auth import views as auth_views
from django.urls import include, path

from waypoint.people import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("students/", views.students, name="student-list"),
    path("students/<int:student_id>/", views.student_detail, name="student-detail"),
    path("students/<int:student_id>/disclosures/", views.disclosures, name="student-disclosures"),
    path("sections/", views.sections, name="section-list"),
    path("sections/<int:section_id>/", views.section_detail, name="section-detail"),
    path("caseload/", views.caseload, name="caseload"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/exports/", views.export_log, name="export-log"),
    path("audit/exports.csv", views.export_log_csv, name="export-log-csv"),
    path("account/confirm/", views.confirm_identity, name="confirm-identity"),
    path("account/district/", views.acting_district, name="acting-district"),
    path("account/tokens/", views.tokens, name="token-list"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("account/language/", views.account_language, name="account-language"),
    # Django's `set_language`: the sign-in page's language switch, kept in the language cookie.
    path("i18n/", include("django.conf.urls.i18n")),
]
