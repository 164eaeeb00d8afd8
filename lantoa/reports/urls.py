from django.urls import path

from lantoa.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:campaign_id>/chi-tieu/", views.indicator_set, name="indicators"),
    path("<int:campaign_id>/<int:unit_id>/", views.report_page, name="report"),
    path("<int:campaign_id>/<int:unit_id>/luu/", views.report_save, name="save"),
    path("<int:campaign_id>/<int:unit_id>/gui/", views.report_submit, name="submit"),
    path("<int:campaign_id>/<int:unit_id>/tiep-nhan/", views.report_accept, name="accept"),
    path("<int:campaign_id>/<int:unit_id>/tra-lai/", views.report_return, name="return"),
    path("<int:campaign_id>/<int:unit_id>/mo-lai/", views.report_reopen, name="reopen"),
    path("<int:campaign_id>/<int:unit_id>/minh-chung/", views.evidence_add, name="evidence_add"),
    path("<int:campaign_id>/<int:unit_id>/mau-excel/", views.report_template, name="template"),
    path("<int:campaign_id>/<int:unit_id>/nhap-excel/", views.report_upload, name="upload"),
    path("<int:campaign_id>/<int:unit_id>/phien-ban/", views.report_versions_page, name="versions"),
    path("<int:campaign_id>/<int:unit_id>/xet-duyet/", views.review_list, name="review"),
    path(
        "<int:campaign_id>/<int:unit_id>/xet-duyet/hang-loat/",
        views.review_bulk,
        name="review_bulk",
    ),
    path("<int:campaign_id>/<int:unit_id>/tien-do/", views.completeness_page, name="completeness"),
    path(
        "<int:campaign_id>/<int:unit_id>/chua-bao-cao.xlsx",
        views.missing_xlsx,
        name="missing_xlsx",
    ),
    path("<int:campaign_id>/<int:unit_id>/tong-hop/", views.rollup_page, name="rollup"),
    path("<int:campaign_id>/<int:unit_id>/tuyen-bao-cao/", views.lines_page, name="lines"),
    path("<int:campaign_id>/<int:unit_id>/tong-hop.xlsx", views.rollup_xlsx, name="rollup_xlsx"),
    path(
        "<int:campaign_id>/<int:unit_id>/bao-cao-tong-hop.docx",
        views.consolidated_docx,
        name="consolidated_docx",
    ),
    path(
        "<int:campaign_id>/<int:unit_id>/bao-cao-tong-hop.pdf",
        views.consolidated_pdf,
        name="consolidated_pdf",
    ),
    path("minh-chung/<int:evidence_id>/xoa/", views.evidence_delete, name="evidence_delete"),
]
