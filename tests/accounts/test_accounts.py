from django.urls import reverse

from marketplace.accounts.models import User

PASSWORD = "a-long-Passphrase-42"


def test_signup_creates_the_user_and_logs_in(client, db):
    response = client.post(reverse("accounts:signup"), {
        "username": "newbie", "email": "newbie@example.com",
        "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.com" and user.check_password(PASSWORD)
    assert client.get(reverse("listings:mine")).status_code == 200  # logged in


def test_signup_follows_a_local_next_but_not_a_foreign_one(client, db):
    data = {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("accounts:signup"), {**data, "username": "a", "next": "/listings/new/"})
    assert response.url == "/listings/new/"
    client.logout()
    response = client.post(reverse("accounts:signup"), {**data, "username": "b", "next": "https://evil.example/"})
    assert response.url == reverse("listings:browse")


def test_signup_with_mismatched_passwords_shows_an_error_and_creates_nothing(client, db):
    response = client.post(reverse("accounts:signup"), {
        "username": "newbie", "email": "newbie@example.com",
        "password1": PASSWORD, "password2": PASSWORD + "x",
    })
    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_signup_requires_an_email(client, db):
    response = client.post(reverse("accounts:signup"), {
        "username": "newbie", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert not User.objects.exists()


def test_login_and_logout(client, db):
    User.objects.create_user("sam", "sam@example.com", PASSWORD)
    response = client.post(reverse("accounts:login"), {"username": "sam", "password": "wrong"})
    assert response.status_code == 200 and "correct username and password" in response.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out" in client.get(reverse("listings:browse")).content.decode()
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("listings:mine")).status_code == 302  # back to the login page


def test_pages_need_login_to_sell(client, db):
    response = client.get(reverse("listings:create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
