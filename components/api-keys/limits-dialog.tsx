"use client";
// A key's gateway limits: requests per minute and per calendar month (UTC), each optional
// (empty: unlimited). Needs apikey:create; the server checks again. Cached keys pick up the new
// limits at once on this instance and within seconds on others.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { apiKeyLimitsInput } from "@/server/contracts/observability";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";

export type KeyLimits = { id: string; name: string; rateLimitPerMinute: number | null; monthlyQuota: number | null };

const LABELS = { rateLimitPerMinute: "Requests per minute", monthlyQuota: "Requests per month" };
type Field = keyof typeof LABELS;
type Values = Record<Field, string>;

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

export function checkLimits(values: Values): { input: { rateLimitPerMinute: number | null; monthlyQuota: number | null }; errors: null } | { input: null; errors: FormErrors<Field> } {
  const input = { rateLimitPerMinute: parseLimit(values.rateLimitPerMinute), monthlyQuota: parseLimit(values.monthlyQuota) };
  const fields: Partial<Record<Field, string>> = {};
  for (const field of ["rateLimitPerMinute", "monthlyQuota"] as const) {
    if (Number.isNaN(input[field])) fields[field] = `${LABELS[field]} must be a whole number (or empty for unlimited)`;
  }
  if (Object.keys(fields).length) return { input: null, errors: { fields, form: null } };
  const found = validateWith(apiKeyLimitsInput, input, LABELS);
  if (found.form || Object.keys(found.fields).length) return { input: null, errors: found };
  return { input, errors: null };
}

export function LimitsDialog({ apiKey, onClose, orgSlug, projectSlug, onSaved }: { apiKey: KeyLimits | null; onClose: () => void; orgSlug: string; projectSlug: string; onSaved: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [values, setValues] = useState<Values>({ rateLimitPerMinute: "", monthlyQuota: "" });
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  // The fields start from the key's limits each time the dialog opens.
  const [openedFor, setOpenedFor] = useState<string | null>(null);
  if ((apiKey?.id ?? null) !== openedFor) {
    setOpenedFor(apiKey?.id ?? null);
    if (apiKey) {
      setValues({ rateLimitPerMinute: apiKey.rateLimitPerMinute === null ? "" : String(apiKey.rateLimitPerMinute), monthlyQuota: apiKey.monthlyQuota === null ? "" : String(apiKey.monthlyQuota) });
      setErrors(NO_ERRORS);
    }
  }
  const save = useMutation(
    trpc.apiKeys.setLimits.mutationOptions({
      onSuccess: async (saved) => {
        if (apiKey) onSaved(`Gateway limits of ${apiKey.name}: ${describeLimit(saved.rateLimitPerMinute, "minute")}, ${describeLimit(saved.monthlyQuota, "month")}`);
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
        close();
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function close() {
    save.reset();
    onClose();
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!apiKey) return;
    const checked = checkLimits(values);
    if (checked.errors) {
      setErrors(checked.errors);
      return focusFirstInvalid(formId);
    }
    save.mutate({ orgSlug, projectSlug, id: apiKey.id, ...checked.input });
  }

  const change = (patch: Partial<Values>) => {
    setValues((v) => ({ ...v, ...patch }));
    setErrors(NO_ERRORS);
  };

  return (
    <Dialog
      open={!!apiKey}
      onClose={close}
      size="sm"
      title="Gateway limits"
      description={apiKey ? `For calls through the gateway with ${apiKey.name}. Over a limit, the gateway answers 429.` : undefined}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={save.isPending}>
            Save limits
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Gateway limits" className="flex flex-col gap-4">
        {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
        <Input
          label={LABELS.rateLimitPerMinute}
          inputMode="numeric"
          value={values.rateLimitPerMinute}
          error={errors.fields.rateLimitPerMinute}
          onChange={(e) => change({ rateLimitPerMinute: e.target.value })}
          placeholder="Unlimited"
          autoComplete="off"
          hint="Empty: unlimited. Each Keel instance enforces it on its own share of traffic."
        />
        <Input
          label={LABELS.monthlyQuota}
          inputMode="numeric"
          value={values.monthlyQuota}
          error={errors.fields.monthlyQuota}
          onChange={(e) => change({ monthlyQuota: e.target.value })}
          placeholder="Unlimited"
          autoComplete="off"
          hint="Empty: unlimited. Counted per calendar month (UTC); resets on the 1st."
        />
      </form>
    </Dialog>
  );
}
