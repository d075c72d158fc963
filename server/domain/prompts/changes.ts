import "server-only";
// Prompt change notifications: the in-process prompt cache drops an entry right after the commit
// that changed it, and other Keel instances hear about it through PostgreSQL NOTIFY (delivered
// on commit, never for a rolled-back change).
import type { AuditedTx } from "../../audit/mutation";

export const PROMPT_CHANNEL = "keel_prompt_changes";

type Listener = (projectId: string, name: string) => void;
const listeners = new Set<Listener>();

export function onPromptChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitPromptChanged(projectId: string, name: string) {
  for (const l of listeners) l(projectId, name);
}

export async function notifyPromptChanged(w: AuditedTx, projectId: string, name: string): Promise<void> {
  w.afterCommit(() => emitPromptChanged(projectId, name));
  await w.tx.$executeRaw`SELECT pg_notify(${PROMPT_CHANNEL}, ${JSON.stringify({ projectId, name })})`;
}
