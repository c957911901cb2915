"""Every router the gateway mounts: adding a resource is one entry here."""

from services.gateway.routes import auth, grids, health, orders, registry, responders, users

ROUTERS = [health.router, auth.router, registry.router, users.router, grids.router,
           orders.router, responders.router]
