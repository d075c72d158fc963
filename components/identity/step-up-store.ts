// Step-up requests from anywhere on the client (the tRPC link, a download button) to the one
// dialog mounted beside the providers. A request resolves true once the person has authenticated
// afresh, false when they cancel. Requests for the same organization while the dialog is open
// share it.

let current: { orgSlug: string; promise: Promise<boolean>; settle: (ok: boolean) => void } | null = null;
const listeners = new Set<() => void>();

function emit() {
  for (const l of listeners) l();
}

export function requestStepUp(orgSlug: string): Promise<boolean> {
  if (current?.orgSlug === orgSlug) return current.promise;
  current?.settle(false);
  let settle!: (ok: boolean) => void;
  const promise = new Promise<boolean>((resolve) => (settle = resolve));
  const entry = {
    orgSlug,
    promise,
    settle: (ok: boolean) => {
      if (current === entry) current = null;
      settle(ok);
      emit();
    },
  };
  current = entry;
  emit();
  return promise;
}

export function subscribeStepUp(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The organization the dialog is open for, or null. */
export function pendingStepUp(): string | null {
  return current?.orgSlug ?? null;
}

export function settleStepUp(ok: boolean) {
  current?.settle(ok);
}

/** The `step_up_required` refusal, from a tRPC error or an HTTP route's JSON error body. */
export function isStepUpRequired(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const data = (error as { data?: { reason?: unknown } }).data;
  if (data?.reason === "step_up_required") return true;
  return (error as { reason?: unknown }).reason === "step_up_required";
}
