from django.urls import include, path

from lantoa.api.main import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("lantoa.accounts.urls")),
    path("don-vi/", include("lantoa.units.urls")),
    path("tuan-le/", include("lantoa.campaigns.urls")),
    path("tong-hop/", include("lantoa.reports.dashboards.urls")),
    path("thong-bao/", include("lantoa.notifications.urls")),
    path("van-ban/", include("lantoa.documents.urls")),
    path("bao-cao/", include("lantoa.reports.urls")),
    path("hoat-dong/", include("lantoa.activities.urls")),
    path("tuyen-duong/", include("lantoa.honours.urls")),
    path("cong-khai/", include("lantoa.portal.urls")),
    path("", include("lantoa.overview.urls")),
    path("", include("lantoa.core.urls")),
]

handler404 = "lantoa.core.views.not_found"
