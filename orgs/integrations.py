"""The fixed catalog of installable apps (SPEC §2). Each app declares its settings; secret ones
are stored encrypted (orgs.crypto) and never shown back in full nor logged."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SettingField:
    name: str
    label: str
    secret: bool = False
    required: bool = True
    kind: str = "text"  # text | url | email
    help_text: str = ""


@dataclass(frozen=True)
class App:
    key: str
    name: str
    category: str  # CRM | CDP | Marketing
    description: str
    fields: tuple[SettingField, ...] = field(default_factory=tuple)


CATALOG = {
    app.key: app
    for app in [
        App(
            "salesforce",
            "Salesforce",
            "CRM",
            "Sync scanned leads into Salesforce.",
            (
                SettingField(
                    "instance_url",
                    "Instance URL",
                    kind="url",
                    help_text="e.g. https://acme.my.salesforce.com",
                ),
                SettingField("client_id", "Connected app client id"),
                SettingField("client_secret", "Connected app client secret", secret=True),
            ),
        ),
        App(
            "hubspot",
            "HubSpot",
            "CRM",
            "Create HubSpot contacts from audience sign-ups.",
            (
                SettingField("portal_id", "Portal id"),
                SettingField("access_token", "Private app access token", secret=True),
            ),
        ),
        App(
            "segment",
            "Segment",
            "CDP",
            "Send scan events to Segment.",
            (SettingField("write_key", "Write key", secret=True),),
        ),
        App(
            "mparticle",
            "mParticle",
            "CDP",
            "Forward scan events to mParticle.",
            (
                SettingField("api_key", "API key"),
                SettingField("api_secret", "API secret", secret=True),
            ),
        ),
        App(
            "mailchimp",
            "Mailchimp",
            "Marketing",
            "Add consenting contacts to an audience.",
            (
                SettingField("audience_id", "Audience id"),
                SettingField("api_key", "API key", secret=True),
            ),
        ),
        App(
            "klaviyo",
            "Klaviyo",
            "Marketing",
            "Add consenting contacts to a Klaviyo list.",
            (
                SettingField("list_id", "List id"),
                SettingField("private_key", "Private API key", secret=True),
            ),
        ),
    ]
}


def get_app(key: str) -> App | None:
    return CATALOG.get(key)
