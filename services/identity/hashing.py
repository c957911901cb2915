"""The process's password hashing, set from LINLI_PASSWORD_HASHING when identity starts."""

from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.common.config import settings_from_nameko
from services.identity import domain


class PasswordHashing(DependencyProvider):
    def setup(self) -> None:
        domain.use_hashing(settings_from_nameko(self.container.config).password_hashing)
