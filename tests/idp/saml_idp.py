"""A real SAML 2.0 identity provider on loopback for the SSO tests: pysaml2's IdP (signing with
the xmlsec1 binary) served by wsgiref in a thread.

GET /metadata                 the IdP's metadata (entity id, SSO endpoint, signing certificate)
GET /sso/redirect?SAMLRequest the AuthnRequest (HTTP-Redirect binding); answers with the
                              auto-submitting HTML form that POSTs a signed SAMLResponse to the
                              SP's ACS URL (HTTP-POST binding) for `idp.user` (an email).

`idp.mode` bends the next answers for the refusal tests: "tamper" (the email changed after
signing), "expired" (the assertion's validity ended an hour ago), "audience" (another SP).
"""

from __future__ import annotations

import datetime
import html
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

XMLSEC1 = shutil.which("xmlsec1")


def unavailable() -> str | None:
    if XMLSEC1 is None:
        return "the xmlsec1 binary (apt-get install xmlsec1)"
    try:
        import saml2  # noqa: F401
    except ImportError:
        return "pysaml2 (pip install -r requirements-dev.txt)"
    return None


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway RSA key and certificate for the IdP's signatures."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flowadmin test IdP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / "idp.key", directory / "idp.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class LocalSAMLIdP:
    def __init__(self, directory: Path):
        self.directory = directory
        self.user = ""
        self.names = {}
        self.mode: str | None = None
        self.httpd = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.entity_id = f"{self.base}/metadata"
        self.metadata_url = f"{self.base}/metadata"
        self.server = self._server()

    def _server(self):
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS
        from saml2.server import Server

        key, cert = self_signed(self.directory)
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC1,
                "key_file": str(key),
                "cert_file": str(cert),
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 15},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_BASIC,
                            }
                        },
                    }
                },
            }
        )
        return Server(config=config)

    # --- HTTP ---------------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metadata":
            from saml2.metadata import create_metadata_string

            body = create_metadata_string(None, self.server.config, valid=24)
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [body if isinstance(body, bytes) else body.encode()]
        if path == "/sso/redirect":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            page = self.answer(query["SAMLRequest"][0], query.get("RelayState", [""])[0])
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def answer(self, saml_request: str, relay_state: str) -> str:
        """The auto-submitting form carrying a signed response for `self.user`."""
        import base64

        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
        from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

        request = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        audience = "https://another-sp.example/metadata" if self.mode == "audience" else None
        restrictions = self.server.config.getattr("policy", "idp")._restrictions["default"]
        lifetime = restrictions["lifetime"]
        if self.mode == "expired":
            restrictions["lifetime"] = {"minutes": -60}
        try:
            response = self.server.create_authn_response(
                identity={"email": [self.user], **{k: [v] for k, v in self.names.items()}},
                in_response_to=request.id,
                destination=request.assertion_consumer_service_url,
                sp_entity_id=audience or request.issuer.text,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=self.user),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_assertion=True,
                sign_response=False,
                sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256,
            )
        finally:
            restrictions["lifetime"] = lifetime
        xml = str(response)
        if self.mode == "tamper":
            xml = re.sub(re.escape(self.user), "admin@acme.test", xml)
        encoded = base64.b64encode(xml.encode()).decode()
        acs = html.escape(request.assertion_consumer_service_url)
        return (
            f'<form method="post" action="{acs}">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            '<button type="submit">Continue</button></form>'
            "<script>document.forms[0].submit()</script>"
        )

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> LocalSAMLIdP:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
