"""SCIM 2.0 provisioning (RFC 7643/7644) under /scim/v2/<org_slug>/: the org's identity provider
creates, updates and removes members (SCIM Users) and teams (SCIM Groups) with a bearer token.

- `schema`: the resource models (scim2-models) and what the discovery endpoints publish.
- `protocol`: token authentication, rate limiting, SCIM responses and the one error builder.
- `resources`: database → SCIM resources, listing with filters and pagination.
- `provisioning`: SCIM resources → the same orgs.services writes the console uses.
- `tokens`: creating and revoking tokens (Settings page and `manage.py scim_token`).
"""
