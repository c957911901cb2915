"""Every router the gateway mounts: adding a resource is one entry here."""

from services.gateway.routes import auth, health, registry, users

ROUTERS = [health.router, auth.router, registry.router, users.router]
