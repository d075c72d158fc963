import "server-only";
// A person who sets up their first factor during a session has just shown they hold it: that
// session counts as having presented it, so an organization that requires a second factor lets
// them in without signing in again.
import type { Tx } from "../../db/client";
import type { SecondFactor } from "../users/sessions";

export async function markSessionSecondFactor(tx: Tx, userId: string, sessionId: string | null, factor: SecondFactor): Promise<void> {
  if (!sessionId) return;
  await tx.userSession.updateMany({
    where: { id: sessionId, userId, factor: null, revokedAt: null },
    data: { factor, verifiedAt: new Date(), verifiedMethod: factor },
  });
}
