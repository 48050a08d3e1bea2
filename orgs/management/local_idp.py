"""Start the local OpenID Provider (tests/idp/oidc.mjs, npm `oidc-provider`) on loopback: for
the SSO tests and `make sso-demo`. Needs Node ≥ 20.19 and `npm ci` run in tests/idp/."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

IDP_DIR = Path(settings.BASE_DIR) / "tests" / "idp"
CLIENT_ID = "flowadmin"


def unavailable() -> str | None:
    """Why the local IdP cannot start here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        return f"run `npm ci` in {IDP_DIR}"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalOIDCProvider:
    """A running oidc-provider. `accounts`: [{"sub", "email", "name"}]; `redirect_uris`: the
    exact callback URLs the client may use."""

    redirect_uris: list[str]
    accounts: list[dict]
    port: int = 0
    client_secret: str = "flowadmin-local-idp-secret-0123456789"
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> LocalOIDCProvider:
        self.port = self.port or free_port()
        config = {
            "port": self.port,
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": self.client_secret,
                    "redirect_uris": self.redirect_uris,
                }
            ],
            "accounts": self.accounts,
        }
        handle, self._config_path = tempfile.mkstemp(suffix=".json")
        with open(handle, "w") as file:
            json.dump(config, file)
        self.process = subprocess.Popen(
            ["node", str(IDP_DIR / "oidc.mjs"), self._config_path],
            cwd=IDP_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("ready "):
            self.stop()
            raise RuntimeError(f"The local OIDC provider did not start (said {line!r}).")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
        if getattr(self, "_config_path", None):
            Path(self._config_path).unlink(missing_ok=True)
