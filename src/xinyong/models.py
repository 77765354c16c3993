"""Every model, imported once so that metadata, Alembic and the audit listeners see them all."""

import xinyong.grading.instant  # noqa: E402, F401  regrading on record change (R-GRD-4)
import xinyong.lists.follow  # noqa: E402, F401  lists follow grading results (R-LST-1…3)
from xinyong.access.models import Consent, QueryLog, QueryLogHead  # noqa: F401
from xinyong.accounts.models import ApiToken, Department, User, WebSession  # noqa: F401
from xinyong.actions.models import ActionTask, AnswerRevision, JointAction, TaskUrge  # noqa: F401
from xinyong.audit.models import AuditCheckpoint, AuditEvent, AuditHead  # noqa: F401
from xinyong.catalog.models import InfoType, InfoTypeVersion, PublicityRegime  # noqa: F401
from xinyong.entities.models import Entity, RelatedPerson  # noqa: F401
from xinyong.grading.models import (  # noqa: F401
    ExternalScore,
    GradeResult,
    GradingModelVersion,
    GradingRun,
)
from xinyong.ingest.models import HeldRow, ImportRun  # noqa: F401
from xinyong.jobs.models import JobLease, JobRun  # noqa: F401
from xinyong.kit.meta import PlatformMeta  # noqa: F401
from xinyong.lists.models import ListEntry  # noqa: F401
from xinyong.measures.models import Measure, MeasureVersion  # noqa: F401
from xinyong.measures.reminder_models import Reminder  # noqa: F401
from xinyong.objections.models import Evidence, Objection  # noqa: F401
from xinyong.records.models import PublicityShortening, Record, Submission  # noqa: F401
from xinyong.workcalendar.models import CalendarYear  # noqa: F401
