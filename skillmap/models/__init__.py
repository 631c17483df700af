"""SQLAlchemy models, one module per domain."""
from skillmap.models.audit import AuditEvent, ErasureRequest
from skillmap.models.people import ROLES, Organisation, Person, Unit, User
from skillmap.models.projects import (PROJECT_STATUSES, MEMBER_STATUSES, Project,
                                      ProjectRequirement, TeamMember)
from skillmap.models.skills import (LEVELS, PersonSkill, Skill, SkillArea, SkillChange,
                                    SkillProposal)
from skillmap.models.analytics import EngineResult, RoleTarget
from skillmap.models.jobs import JOB_STATES, LIVE_STATES, DataChange, DataVersion, Job
from skillmap.models.security import LoginAttempt

__all__ = [
    "AuditEvent", "ErasureRequest", "ROLES", "Organisation", "Person", "Unit", "User",
    "PROJECT_STATUSES", "MEMBER_STATUSES", "Project", "ProjectRequirement", "TeamMember",
    "LEVELS", "PersonSkill", "Skill", "SkillArea", "SkillChange", "SkillProposal",
    "EngineResult", "RoleTarget", "JOB_STATES", "LIVE_STATES", "DataChange", "DataVersion", "Job",
    "LoginAttempt",
]
