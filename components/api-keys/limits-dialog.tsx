"use client";
// A key's gateway limits: requests per minute and per calendar month (UTC), each optional
// (empty: unlimited). Needs apikey:create; the server checks again. Cached keys pick up the new
// limits at once on this instance and within seconds on others.
import { z } from "zod";
import { apiKeyLimitsInput } from "@/server/contracts/observability";
import { FormProblem, type FormProps, Input } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";

export type KeyLimits = { rateLimitPerMinute: number | null; monthlyQuota: number | null };

const LABELS = { rateLimitPerMinute: "Requests per minute", monthlyQuota: "Requests per month" };

const numberFormat = new Intl.NumberFormat("en-US");

/** "600 / minute", or "Unlimited / minute". */
export function describeLimit(value: number | null, per: "minute" | "month"): string {
  return `${value === null ? "Unlimited" : numberFormat.format(value)} / ${per}`;
}

/** "" → null (unlimited); digits (thousands separators allowed) → the number; anything else → NaN. */
export function parseLimit(text: string): number | null {
  const compact = text.trim().replace(/[,\s_]/g, "");
  if (!compact) return null;
  return /^\d+$/.test(compact) ? Number(compact) : Number.NaN;
}

const limitText = z.string().transform((text, ctx) => {
  const limit = parseLimit(text);
  if (Number.isNaN(limit)) ctx.addIssue({ code: "custom", message: "must be a whole number (or empty for unlimited)" });
  return limit;
});

/** The form's text as apiKeyLimitsInput, checked by it. */
const limitsForm = z.object({
  rateLimitPerMinute: limitText.pipe(apiKeyLimitsInput.shape.rateLimitPerMinute),
  monthlyQuota: limitText.pipe(apiKeyLimitsInput.shape.monthlyQuota),
});

const text = (limit: number | null) => (limit === null ? "" : String(limit));

export function LimitsForm({ apiKey, formId, save }: FormProps<KeyLimits> & { apiKey: KeyLimits }) {
  const { form, onSubmit } = useZodForm({
    schema: limitsForm,
    placement: { labels: LABELS },
    defaultValues: { rateLimitPerMinute: text(apiKey.rateLimitPerMinute), monthlyQuota: text(apiKey.monthlyQuota) },
    formId,
    save,
  });
  const {
    register,
    formState: { errors },
  } = form;
  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Gateway limits" className="flex flex-col gap-4">
      <FormProblem message={errors.root?.message} />
      <Input
        label={LABELS.rateLimitPerMinute}
        inputMode="numeric"
        {...register("rateLimitPerMinute")}
        error={errors.rateLimitPerMinute?.message}
        placeholder="Unlimited"
        autoComplete="off"
        hint="Empty: unlimited. Each Keel instance enforces it on its own share of traffic."
      />
      <Input
        label={LABELS.monthlyQuota}
        inputMode="numeric"
        {...register("monthlyQuota")}
        error={errors.monthlyQuota?.message}
        placeholder="Unlimited"
        autoComplete="off"
        hint="Empty: unlimited. Counted per calendar month (UTC); resets on the 1st."
      />
    </form>
  );
}
