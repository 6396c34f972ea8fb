"""System checks: a host's misspelt ``CONSULT`` key is reported, not ignored."""

from django.core import checks

from consult.checks import check_settings_keys


def test_unknown_consult_key_warns_with_the_likely_key(settings):
    settings.CONSULT = {"BROADCAST_INTERVALL": 1, "THROTTLE_RATES": {}}
    warnings = check_settings_keys(None)
    assert [(w.id, w.level) for w in warnings] == [("consult.W002", checks.WARNING)]
    assert "BROADCAST_INTERVALL" in warnings[0].msg
    assert warnings[0].hint == "Did you mean 'BROADCAST_INTERVAL'?"


def test_known_keys_pass(settings):
    settings.CONSULT = {"BROADCAST_INTERVAL": 1, "VOTING_METHODS": []}
    assert check_settings_keys(None) == []


def test_registered_with_django(settings):
    settings.CONSULT = {"NOT_A_SETTING": True}
    ids = {message.id for message in checks.run_checks()}
    assert "consult.W002" in ids
