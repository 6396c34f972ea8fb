"""Wagtail admin users must set up a second factor when REQUIRE_STAFF_MFA is on."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.checks import run_checks
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client, admin_user


def test_without_the_setting_the_admin_is_open(staff):
    client, _user = staff
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_a_factor_is_sent_to_set_one_up(staff, settings):
    settings.CONSULT = {"REQUIRE_STAFF_MFA": True}
    client, user = staff
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/?next=/admin/pages/")
    # allauth's own pages stay reachable, to set the factor up.
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)
    assert client.get("/accounts/2fa/").status_code == 200

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/admin/").status_code == 200


def test_citizens_are_not_asked(settings):
    settings.CONSULT = {"REQUIRE_STAFF_MFA": True}
    client = Client()
    client.force_login(factories.make_user())
    page = factories.make_consultation()
    assert client.get(page.url).status_code == 200


def test_checks_say_what_is_missing(settings):
    settings.CONSULT = {"REQUIRE_STAFF_MFA": True}
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffMFA" not in m]
    assert "consult.E006" in {message.id for message in run_checks()}
