from django.urls import path

from lantoa.documents import edoc_views, progress_views, views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("hop-thu-den.xlsx", views.inbox_xlsx, name="inbox_xlsx"),
    path("danh-sach.xlsx", views.documents_xlsx, name="list_xlsx"),
    path("moi/", views.document_new, name="new"),
    path("quy-dinh-phe-duyet/", views.issuer_settings, name="settings"),
    path("nguoi-ky/", edoc_views.unit_signers, name="signers"),
    path("kiem-tra-chu-ky/", edoc_views.signature_verify, name="verify"),
    path("tiep-nhan-edxml/", edoc_views.edxml_receive, name="receive"),
    path("so-van-ban/", edoc_views.register_page, name="register"),
    path("so-van-ban/tai/", edoc_views.register_xlsx, name="register_xlsx"),
    path("<int:document_id>/edxml/", edoc_views.document_edxml, name="edxml"),
    path("<int:document_id>/ky-so/", edoc_views.document_signed_file, name="signed"),
    path(
        "<int:document_id>/dinh-kem/<int:attachment_id>/ky-so/",
        edoc_views.attachment_signed_file,
        name="attachment_signed",
    ),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/sua/", views.document_edit, name="edit"),
    path(
        "<int:document_id>/tien-do/",
        progress_views.assignment_progress_page,
        name="progress",
    ),
    path(
        "<int:document_id>/tien-do.xlsx",
        progress_views.assignment_progress_xlsx,
        name="progress_xlsx",
    ),
    path("<int:document_id>/lay-y-kien/", views.document_consult, name="consult"),
    path("<int:document_id>/gop-y/", views.document_respond, name="respond"),
    path("<int:document_id>/trinh/", views.document_submit, name="submit"),
    path("<int:document_id>/phe-duyet/", views.document_approve, name="approve"),
    path("<int:document_id>/tra-lai/", views.document_return, name="return"),
    path("<int:document_id>/ban-hanh/", views.document_issue, name="issue"),
    path("<int:document_id>/tai/<str:fmt>/", views.document_file, name="file"),
    path("<int:document_id>/phien-ban/", views.document_versions, name="versions"),
    path("<int:document_id>/dinh-kem/", edoc_views.attachment_add, name="attachment_add"),
    path(
        "<int:document_id>/dinh-kem/<int:attachment_id>/bo/",
        edoc_views.attachment_remove,
        name="attachment_remove",
    ),
    path("nhiem-vu/<int:assignment_id>/", views.assignment_update, name="assignment"),
]
