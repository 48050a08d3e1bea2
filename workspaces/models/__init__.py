from .access import TeamAccess, Workspace, WorkspaceMembership
from .content import (
    Asset,
    AudienceContact,
    BrandKit,
    DeviceClass,
    Flow,
    FlowStatus,
    FlowTemplate,
    Scan,
)

__all__ = [
    "Asset",
    "AudienceContact",
    "BrandKit",
    "DeviceClass",
    "Flow",
    "FlowStatus",
    "FlowTemplate",
    "Scan",
    "TeamAccess",
    "Workspace",
    "WorkspaceMembership",
]
