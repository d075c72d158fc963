import "server-only";
// API key revocations reach every cache of verified keys: this process's right after commit,
// other Keel instances through PostgreSQL NOTIFY (delivered on commit only).
import type { AuditedTx } from "../../audit/mutation";

export const APIKEY_CHANNEL = "keel_apikey_changes";

type Listener = (change: { keyId: string; secretHash: string }) => void;
const listeners = new Set<Listener>();

export function onApiKeyChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function notifyApiKeyChanged(w: AuditedTx, change: { keyId: string; secretHash: string }): Promise<void> {
  w.afterCommit(() => listeners.forEach((l) => l(change)));
  await w.tx.$executeRaw`SELECT pg_notify(${APIKEY_CHANNEL}, ${JSON.stringify(change)})`;
}
