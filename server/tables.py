"""Every table of the server on the one shared Base (server/db.py): importing this module loads each
domain's models, so Base.metadata is the whole schema that Alembic's revisions make and compare with."""

from __future__ import annotations

from server import audit
from server.api import idempotency
from server.applications import models as application_models
from server.auth import models as auth_models
from server.db import Base
from server.fleet import models as fleet_models
from server.migration import models as migration_models
from server.patrons import models as patron_models
from server.renewals import models as renewal_models
from server.stats import models as stats_models
from server.tickets import models as ticket_models

MODULES = (
    audit, idempotency, application_models, auth_models, fleet_models, migration_models, patron_models,
    renewal_models, stats_models, ticket_models,
)
metadata = Base.metadata
__all__ = ["MODULES", "Base", "metadata"]
