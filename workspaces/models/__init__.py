from .access import TeamAccess, Workspace, WorkspaceMembership
from .content import (
    Asset,
    AudienceContact,
    BrandKit,
    DeviceClass,
    Flow,
    FlowStatus,
    FlowTemplate,
    OrgScanDay,
    OrgTally,
    Scan,
    ScanDay,
)

__all__ = [
    "Asset",
    "AudienceContact",
    "BrandKit",
    "DeviceClass",
    "Flow",
    "FlowStatus",
    "FlowTemplate",
    "OrgScanDay",
    "OrgTally",
    "Scan",
    "ScanDay",
    "TeamAccess",
    "Workspace",
    "WorkspaceMembership",
]
