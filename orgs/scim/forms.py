from django import forms


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        max_length=60,
        help_text="Who will use it, e.g. “Okta” or “Entra ID”. The activity log names changes "
        "made with the token “scim:” and this name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
