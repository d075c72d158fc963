// Server errors onto a react-hook-form form. The tRPC errorFormatter (server/api/trpc.ts) names
// at most one field in `data.field`: an AppError's `field`, or the path of the first zod issue
// ("prompt.label", "grade.tone"). A form maps that path onto one of its own fields; anything it
// cannot place is the form's general message, shown as before in the form's "Problem" region.
// The session HTTP routes (dataset import) answer `{ error: { message, field } }` with messages
// "<path> <predicate>"; their client errors carry that `field` (see fieldOfError).
// labelledZodResolver phrases the form's own checks the same way, so a field says "Name is
// required" whether the browser or the server found the problem.
import { zodResolver } from "@hookform/resolvers/zod";
import { get, type FieldError, type FieldPath, type FieldValues, type Resolver, type UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { errorInfo, phraseFieldMessage } from "./errors";

type ApplyOptions<T extends FieldValues> = {
  /** Server field path to the form's field; return null to show the message for the whole form. Default: the path itself when the form has that field. */
  fieldOf?: (path: string) => FieldPath<T> | null;
  /** Labels to phrase "is required" as "Name is required"; without one the server's message is shown as it is. */
  labels?: Partial<Record<FieldPath<T>, string>>;
  /** Whether to focus the field (default true): keyboard and screen reader users land on it. */
  focus?: boolean;
};

/**
 * Puts a failed mutation's message on the field the server named and returns null, or returns the
 * general message when no field of this form matches (the caller shows it for the whole form).
 */
export function applyServerErrors<T extends FieldValues>(form: Pick<UseFormReturn<T>, "setError" | "getValues">, error: unknown, options: ApplyOptions<T> = {}): string | null {
  const info = errorInfo(error);
  const path = info.field ?? fieldOfError(error);
  if (!path) return info.message;
  const field = options.fieldOf ? options.fieldOf(path) : hasField(form.getValues(), path) ? (path as FieldPath<T>) : null;
  if (!field) return info.message;
  const label = options.labels?.[field];
  // An HTTP route's "tags.0 may use …" is phrased like tRPC's "tags.0: may use …".
  const predicate = !info.field && info.message.startsWith(`${path} `) ? info.message.slice(path.length + 1) : info.message.replace(/^[\w.]+: /, "");
  const message = label ? phraseFieldMessage(predicate, field, label) : info.message;
  form.setError(field, { type: "server", message }, { shouldFocus: options.focus ?? true });
  return null;
}

/** The field an error that is not tRPC's names (an Error with a string `field`, e.g. from a session HTTP route). */
function fieldOfError(error: unknown): string | undefined {
  const field = error instanceof Error ? (error as Error & { field?: unknown }).field : undefined;
  return typeof field === "string" && field ? field : undefined;
}

function hasField(values: FieldValues, path: string): boolean {
  let node: unknown = values;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object" || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}


/**
 * zodResolver over a form's schema (usually one from server/contracts, picked or extended) whose
 * messages are phrased with the fields' labels: the schema's "is required" on the field labelled
 * "Name" shows "Name is required"; a full sentence ("Choose at least one event") stays as it is.
 */
export function labelledZodResolver<S extends z.ZodType<unknown, FieldValues>>(schema: S, labels: Partial<Record<FieldPath<z.input<S>>, string>>): Resolver<z.input<S>, unknown, z.output<S>> {
  const resolve = zodResolver(schema) as unknown as Resolver<z.input<S>, unknown, z.output<S>>;
  return async (values, context, options) => {
    const result = await resolve(values, context, options);
    for (const [field, label] of Object.entries(labels) as [string, string | undefined][]) {
      const error = get(result.errors, field) as FieldError | undefined;
      if (label && error?.message) error.message = phraseFieldMessage(error.message, field, label);
    }
    return result;
  };
}

/**
 * A form field checked with a contract's schema, its first problem phrased for the field's label
 * ("is required" becomes "Name is required"), as the server's messages are phrased on the field.
 * Use it in a form's zod schema: `name: z.string().trim().superRefine(phrasedBy(promptName, "Name"))`.
 */
export function phrasedBy(schema: z.ZodType, label: string) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    const issue = schema.safeParse(value).error?.issues[0];
    if (issue) ctx.addIssue({ code: "custom", message: phraseFieldMessage(issue.message, "", label) });
  };
}
