"""consult.W010: a Redis channel layer whose idle readers would time out."""

import importlib.util
from pathlib import Path

import pytest

from consult.realtime.checks import check_channel_layer

REDIS = "channels_redis.core.RedisChannelLayer"


def layers(*hosts):
    return {"default": {"BACKEND": REDIS, "CONFIG": {"hosts": list(hosts)}}}


@pytest.mark.parametrize(
    "hosts",
    [
        ["redis://127.0.0.1:6379/0"],
        [{"address": "redis://127.0.0.1:6379/0"}],
        [{"address": "redis://127.0.0.1:6379/0", "socket_timeout": 5}],
    ],
    ids=["url only", "no timeout", "timeout equal to the blocking read"],
)
def test_redis_hosts_without_a_longer_socket_timeout_are_reported(settings, hosts):
    settings.CHANNEL_LAYERS = layers(*hosts)
    assert [problem.id for problem in check_channel_layer(None)] == ["consult.W010"]


def test_a_long_enough_timeout_and_the_in_memory_layer_pass(settings):
    settings.CHANNEL_LAYERS = layers({"address": "redis://x", "socket_timeout": 30})
    assert check_channel_layer(None) == []
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert check_channel_layer(None) == []


def test_the_example_site_configures_redis_as_recommended(settings, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    path = Path(__file__).resolve().parents[2] / "site_example" / "settings" / "base.py"
    spec = importlib.util.spec_from_file_location("example_settings_with_redis", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    settings.CHANNEL_LAYERS = module.CHANNEL_LAYERS
    assert check_channel_layer(None) == []
    [host] = module.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert host["max_connections"] >= 1000
