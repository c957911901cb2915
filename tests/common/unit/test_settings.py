from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.config import DEV_JWT_SECRET, Settings, settings_from_nameko


def test_production_refuses_the_development_secret():
    with pytest.raises(ValidationError, match="LINLI_JWT_SECRET must be set"):
        Settings(env="production", jwt_secret=DEV_JWT_SECRET)


def test_a_short_secret_is_refused():
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(jwt_secret="short")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LINLI_MONGO_URI", "mongodb://db.example:27017")
    monkeypatch.setenv("LINLI_DB_PREFIX", "prod_")
    settings = Settings()
    assert settings.mongo_uri == "mongodb://db.example:27017"
    assert settings.db_name("intake") == "prod_intake"


def test_a_container_config_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("LINLI_DB_PREFIX", "env_")
    assert settings_from_nameko({"LINLI": {"db_prefix": "t1_"}}).db_name("x") == "t1_x"
