from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The site's user. Custom from day one so fields can be added without a painful migration."""
