import "server-only";
// Single sign-on's outbound requests through Keel's egress policy. next-auth's OAuth provider uses
// openid-client 5, which makes its own requests with node:http(s): the issuer's discovery document
// (Issuer.discover), the token exchange (the client) and the signing keys (the issuer's JWKS).
// openid-client asks `this[custom.http_options]` of the object making each request for per-request
// options, so the hook below is installed where each of the three looks it up (the Issuer class,
// issuer instances, and the base class of every issuer's Client) and hands openid-client the
// policy's agent for the URL's protocol: every connection is checked on the address actually
// connected to (server/net/egress.ts). next-auth's own `httpOptions` would only set process-wide
// defaults, with one agent for both protocols, which node:http refuses.
import { custom, Issuer, type HttpOptions } from "openid-client";
import { EgressRefusedError, egressAgentFor } from "../net/egress";

/** A slow identity provider fails the sign-in instead of holding the request. */
const REQUEST_TIMEOUT_MS = 5_000;

type HttpOptionsHook = (url: URL, options: HttpOptions) => HttpOptions;

const hook: HttpOptionsHook = (url) => {
  const agent = egressAgentFor(url.protocol);
  // openid-client refuses anything but http(s) before asking; this is the belt to its braces.
  if (!agent) throw new EgressRefusedError("protocol that is not http(s)");
  return { agent, timeout: REQUEST_TIMEOUT_MS };
};

let installed = false;

/** Idempotent; called before any provider is built (server/auth/sso-options.ts). */
export function installSsoEgress(): void {
  if (installed) return;
  type Hooked = { [custom.http_options]?: HttpOptionsHook };
  (Issuer as unknown as Hooked)[custom.http_options] = hook;
  (Issuer.prototype as unknown as Hooked)[custom.http_options] = hook;
  // Every issuer's Client class extends openid-client's BaseClient: hook its prototype once.
  const probe = new Issuer({ issuer: "https://keel.invalid" });
  const baseClientPrototype = Object.getPrototypeOf(probe.Client.prototype) as Hooked;
  baseClientPrototype[custom.http_options] = hook;
  installed = true;
}
