// Words for single sign-on's ?error= on the sign-in page. The callback sends a code with the
// email and the organization it is about (server/domain/identity/sso/sign-in.ts); next-auth sends
// its own codes when the identity provider's answer cannot be used. Anything else is not ours (null).
const NEXT_AUTH_CODES: Record<string, string> = {
  OAuthSignin: "Single sign-on could not start: Keel could not reach the identity provider. Try again, or ask an owner to test the connection.",
  OAuthCallback:
    "Single sign-on failed: the identity provider's answer could not be verified (it may have expired, or be meant for another application). Try again.",
  OAuthAccountNotLinked: "This account is linked to another sign-in method.",
  Callback: "Single sign-on failed. Try again.",
  SsoUnavailable: "Single sign-on is not set up, or is turned off, for this organization.",
  SsoFailed: "Single sign-on failed because of a problem in Keel. Try again in a moment.",
};

export function describeSsoError(error: string): string | null {
  if (error in NEXT_AUTH_CODES) return NEXT_AUTH_CODES[error]!;
  if (/^.{1,200} requires single sign-on\. Use 'Sign in with SSO'\.$/.test(error)) return error;
  const [code, email = "", ...rest] = error.split("|");
  const org = rest.join("|") || "this organization";
  const who = email || "Your account";
  switch (code) {
    case "SsoNoEmail":
      return "Your identity provider did not send an email address. Ask your administrator to release the email claim to Keel.";
    case "SsoEmailUnverified":
      return `${who} is not verified by your identity provider; Keel accepts only verified email addresses.`;
    case "SsoDomainNotAllowed":
      return `${who} is not in an email domain ${org} allows for single sign-on.`;
    case "SsoNotMember":
      return `${who} is not a member of ${org}; ask an owner to invite you.`;
    case "SsoAccountExists":
      return `A Keel account for ${who} already exists but is not linked to ${org}'s single sign-on. Sign in with your password, then use single sign-on once to link it (or ask an owner of ${org} to invite you).`;
    case "SsoNoAccount":
      return `There is no Keel account for ${who}; ask an owner of your organization to invite you.`;
    default:
      return null;
  }
}
