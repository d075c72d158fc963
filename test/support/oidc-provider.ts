// A real OpenID Provider (panva's oidc-provider) on a local port, for the single sign-on tests:
// discovery, authorization code with PKCE, signed ID tokens, JWKS. People sign in at its
// interaction page (a plain form: pick who you are, as a browser would) with the users the test
// defines (email, email_verified, groups). `tamperIdToken` re-signs the ID token the token
// endpoint returns with changed claims (a wrong audience, an expired token), with the provider's
// own key, as a misconfigured or hostile provider would.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createSign, generateKeyPairSync, type JsonWebKey } from "node:crypto";
// @ts-expect-error -- oidc-provider ships no type declarations
import Provider from "oidc-provider";

export type OidcUser = { sub: string; email: string; email_verified?: boolean; name?: string; groups?: string[]; amr?: string[] };
export type OidcClient = { clientId: string; clientSecret: string; redirectUris: string[] };

export type TestOidcProvider = {
  issuer: string;
  port: number;
  users: Map<string, OidcUser>;
  /** Requests the provider answered (the egress tests check that none arrived). */
  hits: number;
  /** Replaces the claims of the next ID tokens the token endpoint returns (null: leave them). */
  tamperIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | null;
  /** Adds a client (e.g. an organization's connection once its slug is known). */
  addClient(client: OidcClient): void;
  close(): Promise<void>;
};

type KoaContext = { path: string; method: string; body: unknown; status: number };
type InteractionDetails = {
  uid: string;
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
  params: { client_id: string; scope?: string };
  session?: { accountId?: string };
  grantId?: string;
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startOidcProvider(options: { users: OidcUser[]; clients?: OidcClient[]; host?: string }): Promise<TestOidcProvider> {
  const host = options.host ?? "127.0.0.1";
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...(privateKey.export({ format: "jwk" }) as JsonWebKey), kid: "test-key", use: "sig", alg: "RS256" };
  const users = new Map(options.users.map((u) => [u.sub, u]));
  const clients: OidcClient[] = [...(options.clients ?? [])];

  // The port is known once the server listens; the provider is created then (its issuer names it).
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    state.hits++;
    handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const state: TestOidcProvider = {
    issuer,
    port,
    users,
    hits: 0,
    tamperIdToken: null,
    addClient: (client) => {
      clients.push(client);
      rebuild();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function sign(claims: Record<string, unknown>): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const input = `${b64({ alg: "RS256", typ: "JWT", kid: "test-key" })}.${b64(claims)}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url")}`;
  }

  function rebuild() {
    const provider = new Provider(issuer, {
      clients: clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      })),
      jwks: { keys: [jwk] },
      cookies: { keys: ["test-cookie-key-0123456789"] },
      claims: { openid: ["sub", "amr", "auth_time"], email: ["email", "email_verified"], profile: ["name", "groups"] },
      // The ID token carries the scopes' claims (Keel reads the ID token, not userinfo).
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx: unknown, sub: string) => {
        const user = users.get(sub);
        if (!user) return undefined;
        return {
          accountId: sub,
          claims: () => ({
            sub,
            email: user.email,
            email_verified: user.email_verified ?? true,
            name: user.name ?? user.email,
            ...(user.groups ? { groups: user.groups } : {}),
          }),
        };
      },
      // Loopback http issuer and redirect URIs are fine in a test.
      clientBasedCORS: () => true,
    });
    provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
      await next();
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.path === "/token" && ctx.method === "POST" && state.tamperIdToken && body?.id_token) {
        const claims = JSON.parse(Buffer.from(body.id_token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
        ctx.body = { ...body, id_token: sign(state.tamperIdToken(claims)) };
      }
    });
    const callback = provider.callback() as (req: IncomingMessage, res: ServerResponse) => void;
    handler = (req, res) => {
      const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? "/", issuer).pathname);
      if (!m) return callback(req, res);
      void interaction(provider, req, res, Boolean(m[2])).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      });
    };
  }

  /** The sign-in page (GET) and its form (POST …/login with `sub`), then consent is granted at once. */
  async function interaction(
    provider: {
      interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
      interactionFinished(req: IncomingMessage, res: ServerResponse, result: unknown, options?: unknown): Promise<void>;
      Grant: new (init: { accountId?: string; clientId: string }) => {
        addOIDCScope(scope: string): void;
        addOIDCClaims(claims: string[]): void;
        addResourceScope(resource: string, scope: string): void;
        save(): Promise<string>;
      } & { find?: never };
    },
    req: IncomingMessage,
    res: ServerResponse,
    submitted: boolean,
  ) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      if (!submitted) {
        const options = [...users.values()].map((u) => `<option value="${escapeHtml(u.sub)}">${escapeHtml(u.email)}</option>`).join("");
        res
          .writeHead(200, { "content-type": "text/html; charset=utf-8" })
          .end(
            `<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>` +
              `<form method="post" action="/interaction/${details.uid}/login"><label>Who are you? <select name="sub">${options}</select></label>` +
              `<button type="submit">Continue</button></form>`,
          );
        return;
      }
      const sub = (await readForm(req)).get("sub") ?? "";
      if (!users.has(sub)) {
        res.writeHead(400, { "content-type": "text/plain" }).end("unknown user");
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: sub, ...(users.get(sub)!.amr ? { amr: users.get(sub)!.amr } : {}) } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    // Consent: grant what the client asked for.
    const grant = new provider.Grant({ accountId: details.session?.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(" "));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  rebuild();
  return state;
}
