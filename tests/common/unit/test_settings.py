from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.config import DEV_JWT_SECRET, Settings, settings_from_nameko

# What a production deployment sets (docker-compose.yml builds these from its variables).
PRODUCTION = {"env": "production", "jwt_secret": "p" * 40,
              "amqp_uri": "pyamqp://linli:s3cret-broker@rabbitmq:5672/",
              "mongo_uri": "mongodb://linli:s3cret-store@mongo:27017/?authSource=admin"}


def test_production_starts_with_its_own_secrets():
    assert Settings(**PRODUCTION).env == "production"


@pytest.mark.parametrize(("field", "value", "named"), [
    ("jwt_secret", DEV_JWT_SECRET, "LINLI_JWT_SECRET"),
    ("amqp_uri", "pyamqp://guest:guest@rabbitmq:5672/", "LINLI_AMQP_URI signs in as guest"),
    ("amqp_uri", "pyamqp://rabbitmq:5672/", "LINLI_AMQP_URI signs in as guest"),
    ("amqp_uri", "pyamqp://linli:guest@rabbitmq:5672/", "LINLI_AMQP_URI signs in as guest"),
    ("mongo_uri", "mongodb://mongo:27017/?replicaSet=rs0", "LINLI_MONGO_URI has no user"),
])
def test_production_refuses_each_development_secret(field, value, named):
    with pytest.raises(ValidationError, match=named):
        Settings(**PRODUCTION | {field: value})


@pytest.mark.parametrize("env", ["production", "staging", "prod"])
def test_only_development_takes_the_test_suites_password_hashing(env):
    with pytest.raises(ValidationError, match="LINLI_PASSWORD_HASHING"):
        Settings(**PRODUCTION | {"env": env, "password_hashing": "cheapest_for_tests"})
    assert Settings(**PRODUCTION | {"env": env}).password_hashing == "rfc9106_low_memory"
    assert Settings(password_hashing="cheapest_for_tests").env == "development"


def test_production_names_every_development_secret_at_once():
    with pytest.raises(ValidationError) as caught:
        Settings(env="production")
    text = str(caught.value)
    assert all(name in text for name in ("LINLI_JWT_SECRET", "LINLI_AMQP_URI",
                                         "LINLI_MONGO_URI"))


def test_development_keeps_its_defaults():
    assert Settings().env == "development"


def test_a_secret_may_come_from_a_file(tmp_path):
    """Docker secrets: LINLI_SECRETS_DIR names the directory, one file per variable (a
    fresh process: the directory is read when the settings class is made)."""
    import os
    import subprocess
    import sys

    (tmp_path / "linli_jwt_secret").write_text("f" * 40)
    env = {k: v for k, v in os.environ.items() if k != "LINLI_JWT_SECRET"}
    out = subprocess.run(
        [sys.executable, "-c", "from services.common.config import Settings; "
                               "print(Settings().jwt_secret)"],
        env=env | {"LINLI_SECRETS_DIR": str(tmp_path)}, capture_output=True, text=True,
        check=True)
    assert out.stdout.strip() == "f" * 40


def test_a_container_config_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("LINLI_DB_PREFIX", "env_")
    assert settings_from_nameko({"LINLI": {"db_prefix": "t1_"}}).db_name("x") == "t1_x"
