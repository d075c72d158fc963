// Starts single sign-on through a provider next-auth does not list (an organization's `sso-<org>`
// is built per request, so next-auth/react's signIn(), which first checks /api/auth/providers,
// would refuse it). The same request signIn() makes: the CSRF token, then a POST to
// /api/auth/signin/<provider> with the authorization parameters in the query; the browser then
// goes to the identity provider. For step-up: startSsoSignIn(ssoProviderIdFor(org), { callbackUrl },
// { prompt: "login", max_age: "0" }).
import { getCsrfToken } from "next-auth/react";

export async function startSsoSignIn(providerId: string, options: { callbackUrl: string }, authorizationParams: Record<string, string> = {}): Promise<void> {
  const csrfToken = await getCsrfToken();
  if (!csrfToken) throw new Error("Could not reach Keel. Check your connection and try again.");
  const query = new URLSearchParams(authorizationParams).toString();
  const res = await fetch(`/api/auth/signin/${encodeURIComponent(providerId)}${query ? `?${query}` : ""}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: options.callbackUrl, json: "true" }),
  });
  const data = (await res.json().catch(() => ({}))) as { url?: string };
  if (!data.url) throw new Error("Single sign-on could not start. Try again.");
  window.location.href = data.url;
}
