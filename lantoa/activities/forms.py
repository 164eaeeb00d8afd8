from django import forms
from django.utils.translation import gettext_lazy as _

from lantoa.activities.models import AudienceGroup, Mode, ResourceKind
from lantoa.core.dates import VietnameseDateTimeField


class ActivityForm(forms.Form):
    type = forms.ChoiceField(label=_("Loại hoạt động"))
    title = forms.CharField(label=_("Tên hoạt động"), max_length=255)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    starts_at = VietnameseDateTimeField(label=_("Bắt đầu"))
    ends_at = VietnameseDateTimeField(label=_("Kết thúc"))
    mode = forms.ChoiceField(label=_("Hình thức"), choices=Mode.choices)
    location = forms.CharField(label=_("Địa điểm"), max_length=500, required=False)
    online_url = forms.CharField(
        label=_("Đường dẫn trực tuyến (Zoom, Meet, Teams, K12Online…)"),
        max_length=500,
        required=False,
    )
    audience = forms.MultipleChoiceField(
        label=_("Đối tượng"),
        choices=AudienceGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(
        label=_("Số chỗ (để trống: không giới hạn)"), required=False, min_value=1
    )
    public = forms.BooleanField(
        label=_("Công khai trên cổng thông tin (người dân đăng ký được)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.code, t.name) for t in types]


class ParticipantsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in AudienceGroup.choices:
            self.fields[code] = forms.IntegerField(label=label, min_value=0, required=False)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=255, required=False)
    url = forms.CharField(label=_("Liên kết (http/https)"), max_length=500, required=False)
    file = forms.FileField(label=_("Hoặc tệp: ảnh, PDF, Word, Excel"), required=False)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=ResourceKind.choices)
    title = forms.CharField(label=_("Tên học liệu"), max_length=255)
    url = forms.CharField(label=_("Đường dẫn (http/https)"), max_length=500)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
