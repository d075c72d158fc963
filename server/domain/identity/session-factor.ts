import "server-only";
// A person who sets up their first factor during a session has just shown they hold it: that
// session counts as having presented it, so an organization that requires a second factor lets
// them in without signing in again. It is not a fresh authentication for step-up: setting up a
// factor proves who holds the new factor, not who is at the keyboard (a stolen session could set
// one up), so decisions still ask for the factor afterwards.
import type { Tx } from "../../db/client";
import type { SecondFactor } from "../users/sessions";

export async function markSessionSecondFactor(tx: Tx, userId: string, sessionId: string | null, factor: SecondFactor): Promise<void> {
  if (!sessionId) return;
  await tx.userSession.updateMany({
    where: { id: sessionId, userId, factor: null, revokedAt: null },
    data: { factor },
  });
}
