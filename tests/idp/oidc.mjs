// A real OpenID Provider on loopback (node-oidc-provider, a certified OP) for flowadmin's SSO
// tests and `make sso-demo`. Usage: node oidc.mjs <config.json>
//   {"port": 8161, "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//    "accounts": [{"sub", "email", "name", "email_verified"}]}
// Sign-in uses the provider's development interaction page: the login is the account's email
// (any password: it is a local test IdP). Consent is granted automatically. Prints
// "ready <issuer>" once listening.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = new Map(config.accounts.map((a) => [a.email.toLowerCase(), a]));

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  })),
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  scopes: ["openid", "email", "profile"],
  pkce: { required: () => false },
  cookies: { keys: ["flowadmin-test-idp-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts.get(String(id).toLowerCase());
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: account.sub,
          email: account.email,
          email_verified: account.email_verified ?? true,
          name: account.name ?? "",
        };
      },
    };
  },
  // No consent screen: the grant covers what the client asked for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    grant.addOIDCClaims(["email", "email_verified", "name"]);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const server = provider.listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
