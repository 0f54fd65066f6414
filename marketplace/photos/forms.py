from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files; content checks are `validation.py`'s job."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            # Phones offer the camera as well as the gallery (a `capture` attribute would open
            # the camera alone, one shot at a time); HEIC named for older iOS pickers.
            "accept": "image/*,.heic,.heif"}))
        super().__init__(*args, allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class PhotoUploadForm(forms.Form):
    images = MultipleFileField(
        label="Add photos", required=False,
        help_text="JPEG, PNG, WebP or iPhone HEIC; several at once.")
