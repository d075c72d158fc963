import "server-only";
// The WebAuthn relying party is Keel's public address (KEEL_PUBLIC_URL, which start-up also hands
// to next-auth as NEXTAUTH_URL): passkeys are bound to its host name, and responses must come from
// its origin. A browser on another address gets a clear refusal rather than a passkey that only
// works there.
import { setting } from "../../env";

export type RelyingParty = { id: string; origin: string; name: string };

export function relyingParty(): RelyingParty {
  const url = new URL(process.env.NEXTAUTH_URL || setting("KEEL_PUBLIC_URL") || `http://localhost:${process.env.PORT ?? 3000}`);
  return { id: url.hostname, origin: url.origin, name: "Keel" };
}
