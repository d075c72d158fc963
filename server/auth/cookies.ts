import "server-only";
// Names and attributes of Keel's cookies, apart from next-auth's configuration (options.ts), so
// request handling can read them without loading the sign-in providers.

/** Secure cookies (and the __Secure- prefix) when Keel is reached over https. */
export function secureCookies(): boolean {
  return (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
}

export function sessionCookieName(): string {
  return secureCookies() ? "__Secure-keel.session" : "keel.session";
}
