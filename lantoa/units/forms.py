from django import forms
from django.utils.translation import gettext_lazy as _

from lantoa.core.dates import VietnameseDateField
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import DESCRIPTIVE_FIELDS


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = list(DESCRIPTIVE_FIELDS)
        field_classes = {"valid_from": VietnameseDateField, "valid_to": VietnameseDateField}

    kind = forms.ChoiceField(label=_("Loại"), choices=UnitKind.choices)
    successor = forms.TypedChoiceField(
        label=_("Đơn vị kế thừa"), required=False, coerce=int, empty_value=None
    )

    def _get_validation_exclusions(self):
        # The code's uniqueness is checked by units.services with a Vietnamese
        # message, together with the other rules, so every error shows at once.
        return super()._get_validation_exclusions() | {"code"}


class UnitMoveForm(forms.Form):
    parent_id = forms.TypedChoiceField(label=_("Chuyển đến đơn vị cấp trên"), coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitCloseForm(forms.Form):
    valid_to = VietnameseDateField(label=_("Kết thúc hoạt động từ hết ngày"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class SuccessorForm(forms.Form):
    unit_id = forms.TypedChoiceField(
        label=_("Đơn vị kế thừa"), coerce=int, required=False, empty_value=None
    )
    share = forms.DecimalField(
        label=_("Tỷ lệ (0–1)"),
        required=False,
        max_digits=7,
        decimal_places=6,
        localize=True,  # 0,4 as written in Vietnamese
        help_text=_("Để trống ở mọi dòng: toàn bộ lịch sử về đơn vị đầu tiên."),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = choices


SuccessorFormSet = forms.formset_factory(SuccessorForm, extra=4, max_num=20)
