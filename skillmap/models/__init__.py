"""SQLAlchemy models, one module per domain."""
from skillmap.models.audit import AuditEvent, ErasureRequest, KeptForm
from skillmap.models.people import (NO_PASSWORD, ROLES, TOKEN_PURPOSES, WORK_RELATIONSHIPS,
                                    AccountToken, JobTitle, Organisation, Person, Unit, User)
from skillmap.models.mail import MAIL_STATES, OutboxMessage
from skillmap.models.projects import (PROJECT_STATUSES, MEMBER_STATUSES, Project,
                                      ProjectRequirement, TeamMember)
from skillmap.models.skills import (LEVELS, PersonSkill, Skill, SkillArea, SkillChange,
                                    SkillProposal)
from skillmap.models.analytics import EngineResult, ReportSnapshot, RoleTarget
from skillmap.models.jobs import JOB_STATES, LIVE_STATES, DataChange, DataVersion, Job
from skillmap.models.security import LoginAttempt
from skillmap.models.api import API_SCOPES, ApiToken
from skillmap.models.training import (SAFETY_ROLES, ProjectTraining, SafetyRoleHolder,
                                      TrainingCourse, TrainingPlan, TrainingPlanLine,
                                      TrainingPlanParticipant, TrainingRecord, TrainingReminder,
                                      TrainingRule, UnitCoverage)

__all__ = [
    "AuditEvent", "ErasureRequest", "KeptForm", "ROLES", "Organisation", "Person", "Unit", "User",
    "NO_PASSWORD", "TOKEN_PURPOSES", "WORK_RELATIONSHIPS", "AccountToken", "JobTitle",
    "MAIL_STATES", "OutboxMessage",
    "PROJECT_STATUSES", "MEMBER_STATUSES", "Project", "ProjectRequirement", "TeamMember",
    "LEVELS", "PersonSkill", "Skill", "SkillArea", "SkillChange", "SkillProposal",
    "EngineResult", "ReportSnapshot", "RoleTarget", "JOB_STATES", "LIVE_STATES", "DataChange",
    "DataVersion", "Job", "LoginAttempt", "API_SCOPES", "ApiToken",
    "SAFETY_ROLES", "ProjectTraining", "SafetyRoleHolder", "TrainingCourse", "TrainingPlan",
    "TrainingPlanLine", "TrainingPlanParticipant", "TrainingRecord", "TrainingReminder",
    "TrainingRule", "UnitCoverage",
]
