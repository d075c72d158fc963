// Turning tRPC errors into what forms and pages show. The server's messages are written for
// people; validation messages arrive as "field: predicate" and `data.field` names the field.
import { TRPCClientError } from "@trpc/client";

export type ErrorInfo = { message: string; code?: string; field?: string };

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? undefined) as { code?: string; field?: string; requestId?: string } | undefined;
    if (!data && /fetch|network|Load failed/i.test(error.message)) {
      return { message: "Could not reach Keel. Check your connection and try again.", code: "NETWORK" };
    }
    // A failure on the server's side names its request, whose log line the operator can find.
    const message = data?.requestId ? `${error.message} (request ${data.requestId})` : error.message;
    return { message, code: data?.code, field: data?.field };
  }
  if (error instanceof Error) return { message: error.message };
  return { message: "Something went wrong" };
}

function capitalise(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "is required" becomes "Name is required"; full sentences are kept as they are. */
export function phraseFieldMessage(message: string, field: string, label: string): string {
  const stripped = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return /^(is|must|may|has|should|choose|does)\b/.test(stripped) ? `${label} ${stripped}` : capitalise(stripped);
}

/** Moves focus to the first invalid control of a form (by id), so keyboard and screen reader users land on it. */
export function focusFirstInvalid(formId: string) {
  requestAnimationFrame(() => document.getElementById(formId)?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
}
