"""The archive's write model: SQLAlchemy tables, engine set-up and the store functions.

``schema`` defines the tables, ``engine`` connects (SQLite or PostgreSQL), ``repository``
holds the few operations pipelines and the read side share, ``fingerprint`` the one
content hash that decides "same article".
"""

import models.search  # noqa: E402,F401 -- registers the read-side tables on Base.metadata
import models.operations  # noqa: E402,F401 -- registers the schedule, job detail and lease tables
import models.dedup  # noqa: E402,F401 -- registers the near-duplicate index and cluster tables
import models.safekeeping  # noqa: E402,F401 -- registers the archive identity and quarantine tables
