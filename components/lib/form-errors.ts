// Errors onto a react-hook-form form, placed and worded the same way whether the browser or the
// server found them. The tRPC errorFormatter (server/api/trpc.ts) names at most one field in
// `data.field`: an AppError's `field`, or the path of the first zod issue ("prompt.label",
// "grade.tone"); a zod issue in the browser has the same path, because the form is checked with
// the schema the procedure takes (placedZodResolver). A form maps such a path onto one of its own
// fields; anything it cannot place is the form's general message, shown in its "Problem" region.
// The session HTTP routes (dataset import) answer `{ error: { message, field } }` with messages
// "<path> <predicate>"; their client errors carry that `field` (see fieldOfError).
import { toNestErrors } from "@hookform/resolvers";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, type DefaultValues, type FieldError, type FieldPath, type FieldValues, type Resolver, type UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { errorInfo, focusFirstInvalid, phraseFieldMessage } from "./errors";

/** Where a path of the input goes on the form, and how its messages are worded. */
export type FieldPlacement<T extends FieldValues> = {
  /** Path of the input to the form's field; return null to show the message for the whole form. Default: the path itself when the form has that field. */
  fieldOf?: (path: string) => FieldPath<T> | null;
  /** Labels to phrase "is required" as "Name is required"; without one the message is shown as it is. */
  labels?: Partial<Record<FieldPath<T>, string>>;
  /** The label for a path that names one item of a field (config.patterns.1 → "Pattern 2"); default: the field's label. */
  labelOf?: (path: string) => string | undefined;
};

type ApplyOptions<T extends FieldValues> = FieldPlacement<T> & {
  /** Whether to focus the field (default true): keyboard and screen reader users land on it. */
  focus?: boolean;
};

/**
 * Puts a failed mutation's message on the field the server named and returns null, or returns the
 * general message when no field of this form matches (the caller shows it for the whole form).
 */
export function applyServerErrors<T extends FieldValues>(
  form: Pick<UseFormReturn<T>, "setError" | "getValues">,
  error: unknown,
  options: ApplyOptions<T> = {},
): string | null {
  const info = errorInfo(error);
  const path = info.field ?? fieldOfError(error);
  if (!path) return info.message;
  const field = fieldAt(form.getValues(), path, options);
  if (!field) return info.message;
  // An HTTP route's "tags.0 may use …" is phrased like tRPC's "tags.0: may use …".
  const message = !info.field && info.message.startsWith(`${path} `) ? info.message.slice(path.length + 1) : info.message;
  form.setError(field, { type: "server", message: phrase(message, path, field, options) }, { shouldFocus: options.focus ?? true });
  return null;
}

/** The field an error that is not tRPC's names (an Error with a string `field`, e.g. from a session HTTP route). */
function fieldOfError(error: unknown): string | undefined {
  const field = error instanceof Error ? (error as Error & { field?: unknown }).field : undefined;
  return typeof field === "string" && field ? field : undefined;
}

function fieldAt<T extends FieldValues>(values: T, path: string, placement: FieldPlacement<T>): FieldPath<T> | null {
  if (placement.fieldOf) return placement.fieldOf(path);
  return hasField(values, path) ? (path as FieldPath<T>) : null;
}

function phrase<T extends FieldValues>(message: string, path: string, field: FieldPath<T>, placement: FieldPlacement<T>): string {
  const label = placement.labelOf?.(path) ?? placement.labels?.[field];
  return label ? phraseFieldMessage(message.replace(/^[\w.]+: /, ""), field, label) : message;
}

/**
 * zodResolver over the schema of what the form sends (the procedure's own, or one piped into it),
 * with each issue placed and worded as a server error would be: on the field its path maps to,
 * phrased with that field's label; the first issue per field is shown, and one that no field
 * takes becomes the form's root error.
 */
export function placedZodResolver<TInput extends FieldValues, TOutput>(
  schema: z.ZodType<TOutput, TInput>,
  placement: FieldPlacement<TInput> = {},
): Resolver<TInput, unknown, TOutput> {
  const resolve = zodResolver(schema);
  return async (values, context, options) => {
    const result = await resolve(values, context, options);
    const issues = leaves(result.errors);
    if (issues.length === 0) return result;
    const placed: Record<string, FieldError> = {};
    for (const [path, error] of issues) {
      const message = error.message ?? "is not valid";
      const field = fieldAt(values, path, placement);
      if (field) placed[field] ??= { type: error.type, message: phrase(message, path, field, placement) };
      else placed.root ??= { type: error.type, message: path ? `${path}: ${message}` : message };
    }
    return { values: {}, errors: toNestErrors(placed, options) };
  };
}

/** The errors zodResolver nested by path, flat again: [path, error] in the order zod reported them. */
function leaves(errors: object, prefix = ""): [string, FieldError][] {
  return Object.entries(errors).flatMap(([key, value]: [string, unknown]): [string, FieldError][] => {
    if (value === null || typeof value !== "object") return [];
    const path = prefix ? `${prefix}.${key}` : key;
    return "type" in value && typeof value.type === "string" ? [[path, value as FieldError]] : leaves(value, path);
  });
}

/**
 * A form checked by placedZodResolver. Its submit focuses the first invalid field, or hands the
 * parsed input to `save`; when that fails, the server's error goes on its field or becomes the
 * form's root error (errors.root, for the form's "Problem" region).
 */
export function useZodForm<TInput extends FieldValues, TOutput>({
  schema,
  placement,
  defaultValues,
  formId,
  save,
}: {
  schema: z.ZodType<TOutput, TInput>;
  placement?: FieldPlacement<TInput>;
  defaultValues: DefaultValues<TInput>;
  /** The form element's id (focusFirstInvalid looks inside it). */
  formId: string;
  save: (input: TOutput) => Promise<unknown>;
}): { form: UseFormReturn<TInput, unknown, TOutput>; onSubmit: ReturnType<UseFormReturn<TInput, unknown, TOutput>["handleSubmit"]> } {
  const [resolver] = useState(() => placedZodResolver(schema, placement));
  const form = useForm<TInput, unknown, TOutput>({ resolver, defaultValues });
  const onSubmit = form.handleSubmit(
    async (input) => {
      try {
        await save(input);
      } catch (error) {
        const message = applyServerErrors(form, error, placement);
        if (message !== null) form.setError("root", { type: "server", message });
      }
    },
    () => focusFirstInvalid(formId),
  );
  return { form, onSubmit };
}

function hasField(values: FieldValues, path: string): boolean {
  let node: unknown = values;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object" || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}
