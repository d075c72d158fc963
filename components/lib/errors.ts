// Turning tRPC errors into what forms and pages show. The server's messages are written for
// people; validation messages arrive as "field: predicate" and `data.field` names the field.
import { TRPCClientError } from "@trpc/client";
import type { z } from "zod";

export type ErrorInfo = { message: string; code?: string; field?: string };

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? undefined) as { code?: string; field?: string } | undefined;
    if (!data && /fetch|network|Load failed/i.test(error.message)) {
      return { message: "Could not reach Keel. Check your connection and try again.", code: "NETWORK" };
    }
    return { message: error.message, code: data?.code, field: data?.field };
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

export type FormErrors<F extends string> = { fields: Partial<Record<F, string>>; form: string | null };

export const NO_ERRORS = { fields: {}, form: null } as const;

/** Splits a server error into a message for one of the form's fields, or one for the whole form. */
export function formErrorsFrom<F extends string>(error: unknown, labels: Record<F, string>): FormErrors<F> {
  const info = errorInfo(error);
  const field = info.field?.split(".")[0] as F | undefined;
  if (field && field in labels) {
    return { fields: { [field]: phraseFieldMessage(info.message, field, labels[field]) } as Partial<Record<F, string>>, form: null };
  }
  return { fields: {}, form: info.message };
}

/** Client-side check with the same zod field schemas the server uses. */
export function validateWith<F extends string>(schema: z.ZodType, values: Record<F, unknown>, labels: Record<F, string>): FormErrors<F> {
  const result = schema.safeParse(values);
  if (result.success) return { fields: {}, form: null };
  const fields: Partial<Record<F, string>> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "") as F;
    if (field in labels && !fields[field]) fields[field] = phraseFieldMessage(issue.message, field, labels[field]);
  }
  return { fields, form: Object.keys(fields).length ? null : (result.error.issues[0]?.message ?? "Check the form") };
}

export function hasErrors(errors: FormErrors<string>): boolean {
  return errors.form !== null || Object.keys(errors.fields).length > 0;
}

/** Moves focus to the first invalid control of a form (by id), so keyboard and screen reader users land on it. */
export function focusFirstInvalid(formId: string) {
  requestAnimationFrame(() => document.getElementById(formId)?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
}
