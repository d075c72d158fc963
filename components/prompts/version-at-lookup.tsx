"use client";
// "Which version was in an environment at a time?": an environment and a date and time, answered
// from the label history by prompts.versionAt. A react-hook-form form checked with the contracts'
// labelName and dateTime; a server error naming `label` or `at` is shown on that field.
import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { dateValue } from "@/server/contracts/fields";
import { labelName } from "@/server/contracts/prompts";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Input, Select } from "@/components/ui";
import { ClockIcon } from "@/components/ui/icons";
import { applyServerErrors, placedZodResolver, type FieldPlacement } from "@/components/lib/form-errors";
import { formatDateTime } from "@/components/lib/time";

const lookupSchema = z.object({
  label: labelName,
  // A datetime-local value ("2020-01-01T12:00:00"), read as local time.
  at: z
    .string()
    .transform((text) => new Date(text))
    .pipe(dateValue("Choose a date and time")),
});
type LookupValues = z.input<typeof lookupSchema>;
const PLACEMENT: FieldPlacement<LookupValues> = { labels: { label: "Environment", at: "At" } };

type Props = { orgSlug: string; projectSlug: string; name: string; environments: string[] };

export function VersionAtLookup({ orgSlug, projectSlug, name, environments }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<LookupValues, unknown, z.output<typeof lookupSchema>>({
    resolver: placedZodResolver(lookupSchema, PLACEMENT),
    defaultValues: { label: environments.includes("production") ? "production" : (environments[0] ?? ""), at: "" },
  });
  const {
    register,
    formState: { errors, isSubmitting },
  } = form;
  const [answer, setAnswer] = useState<{ label: string; at: Date; version: number | null } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    setAnswer(null);
    return form.handleSubmit(async (v) => {
      const at = v.at;
      try {
        const result = await queryClient.fetchQuery(trpc.prompts.versionAt.queryOptions({ orgSlug, projectSlug, name, label: v.label, at }));
        setAnswer({ label: v.label, at, version: result.version });
      } catch (error) {
        setFormError(applyServerErrors(form, error, PLACEMENT));
      }
    })(e);
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Version at a point in time" className="flex flex-col gap-2 border-b border-zinc-100 px-4 py-3">
      <p className="text-[13px] font-medium text-zinc-800">Which version was in an environment at a time?</p>
      <div className="grid grid-cols-1 gap-2">
        <Select label="Environment" size="sm" {...register("label")} error={errors.label?.message}>
          {environments.map((env) => (
            <option key={env} value={env}>
              {env}
            </option>
          ))}
        </Select>
        <Input label="At" type="datetime-local" step={1} {...register("at")} error={errors.at?.message} className="h-7 text-[13px]" />
      </div>
      <div className="flex items-center gap-3">
        <Button size="sm" type="submit" icon={<ClockIcon size={14} />} loading={isSubmitting}>
          Look up
        </Button>
        <p role="status" className="text-[13px] text-zinc-700">
          {answer
            ? answer.version
              ? `${answer.label} served version ${answer.version} at ${formatDateTime(answer.at)}.`
              : `${answer.label} pointed at no version at ${formatDateTime(answer.at)}.`
            : ""}
        </p>
      </div>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
    </form>
  );
}
