from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        return [single(item, initial) for item in data] if isinstance(data, (list, tuple)) \
            else ([single(data, initial)] if data else [])


class CaptureForm(forms.Form):
    video = forms.FileField(
        required=False, help_text="MP4, MOV or WebM, 5–20 s: one slow walk around the item.",
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/quicktime,video/webm"}))
    photos = MultipleFileField(
        required=False, help_text="Or 8–72 photos taken all around the item, any order.",
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}))
