from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(help_text="Only used for notifications; never shown to buyers.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
