"""Every router the gateway mounts: adding a resource is one entry here."""

from services.gateway.routes import (
    app_keys,
    audit,
    auth,
    categories,
    deliberation,
    evaluation,
    grids,
    health,
    issues,
    mediation,
    notifications,
    open311,
    orders,
    points,
    publication,
    registry,
    responders,
    users,
    volunteers,
)

ROUTERS = [health.router, auth.router, registry.router, users.router, grids.router,
           orders.router, responders.router,
           issues.router, categories.router, publication.router, open311.router, points.router,
           evaluation.router,
           volunteers.router,
           deliberation.router,
           mediation.router,
           app_keys.router,
           notifications.router,
           audit.router]
