"""Forms of the workspace pages: content (templates, assets, brand kits, audience), flows and
the Manage page. They validate input and show errors in place; writes go through
workspaces.services."""
