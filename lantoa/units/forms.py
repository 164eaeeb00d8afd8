from django import forms
from django.utils.translation import gettext_lazy as _

from lantoa.units.models import Unit, UnitKind


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "name",
            "kind",
            "code",
            "edoc_code",
            "abbreviation",
            "governing_body",
            "place_name",
            "email",
            "address",
            "valid_from",
            "valid_to",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    kind = forms.ChoiceField(label=_("Loại"), choices=UnitKind.choices)
    successor = forms.TypedChoiceField(
        label=_("Đơn vị kế thừa"), required=False, coerce=int, empty_value=None
    )

    def _get_validation_exclusions(self):
        # The code's uniqueness is checked by units.services with a Vietnamese
        # message, together with the other rules, so every error shows at once.
        return super()._get_validation_exclusions() | {"code"}
