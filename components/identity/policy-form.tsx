"use client";
// The organization's identity policy: single sign-on required, who needs a second factor, the
// step-up window and session timeouts. Owners change it (with a fresh authentication); admins see
// it. Checked with the procedure's own schema; blank timeouts mean the instance's defaults.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { identityPolicyInput, MFA_REQUIREMENTS } from "@/server/contracts/identity-policy";
import { ROLES } from "@/server/contracts/permissions";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import { Alert, Button, Card, CardBody, CardHeader, Checkbox, FormProblem, Input, QueryBody } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";

type Policy = RouterOutputs["identity"]["policy"];

const LABELS = {
  stepUpMinutes: "Step-up window (minutes)",
  sessionIdleMinutes: "Idle timeout (minutes)",
  sessionAbsoluteHours: "Absolute timeout (hours)",
  mfaRoles: "Roles",
};

const shape = identityPolicyInput.shape;
const whole = (field: z.ZodType<number, number>) =>
  z
    .string()
    .trim()
    .transform((v) => (v === "" ? Number.NaN : Number(v)))
    .pipe(field);
const optionalWhole = (field: z.ZodType<number | null, number | null>) =>
  z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : Number(v)))
    .pipe(field);

const formSchema = z.object({
  requireSso: shape.requireSso,
  mfaRequirement: shape.mfaRequirement,
  mfaRoles: shape.mfaRoles,
  stepUpMinutes: whole(shape.stepUpMinutes),
  sessionIdleMinutes: optionalWhole(shape.sessionIdleMinutes),
  sessionAbsoluteHours: optionalWhole(shape.sessionAbsoluteHours),
});

const MFA_LABELS: Record<(typeof MFA_REQUIREMENTS)[number], string> = {
  none: "Not required (people may still set one up)",
  all: "Everyone",
  roles: "Members with these roles",
};

function valuesOf(p: Policy): z.input<typeof formSchema> {
  return {
    requireSso: p.requireSso,
    mfaRequirement: p.mfaRequirement as (typeof MFA_REQUIREMENTS)[number],
    mfaRoles: p.mfaRoles,
    stepUpMinutes: String(p.stepUpMinutes),
    sessionIdleMinutes: p.sessionIdleMinutes === null ? "" : String(p.sessionIdleMinutes),
    sessionAbsoluteHours: p.sessionAbsoluteHours === null ? "" : String(p.sessionAbsoluteHours),
  };
}

export function IdentityPolicyCard({ orgSlug, canManage }: { orgSlug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const policy = useQuery(trpc.identity.policy.queryOptions({ orgSlug }));
  // Kept here: the form remounts with the saved values.
  const [saved, setSaved] = useState(false);
  return (
    <Card aria-labelledby="identity-policy-title">
      <CardHeader
        titleId="identity-policy-title"
        title="Sign-in policy"
        description="Single sign-on, second factors, the step-up window for decisions that matter, and how long sessions last."
      />
      <CardBody>
        <QueryBody query={policy} what="the sign-in policy">
          {(p) => (
            <>
              {saved ? (
                <Alert tone="success" className="mb-4">
                  Saved. It applies to every member from their next request.
                </Alert>
              ) : null}
              <PolicyForm key={JSON.stringify(p)} orgSlug={orgSlug} policy={p} canManage={canManage} onSaved={setSaved} />
            </>
          )}
        </QueryBody>
      </CardBody>
    </Card>
  );
}

function PolicyForm({ orgSlug, policy, canManage, onSaved }: { orgSlug: string; policy: Policy; canManage: boolean; onSaved: (saved: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(formSchema, { labels: LABELS }), defaultValues: valuesOf(policy) });
  const {
    register,
    formState: { errors },
  } = form;
  const mfaRequirement = useWatch({ control: form.control, name: "mfaRequirement" });
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(
    trpc.identity.setPolicy.mutationOptions({
      onSuccess: async () => {
        onSaved(true);
        await queryClient.invalidateQueries({ queryKey: trpc.identity.policy.queryKey({ orgSlug }) });
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );
  const ssoReady = policy.ssoConnection?.enabled === true && policy.breakGlassOwners > 0;

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    onSaved(false);
    return form.handleSubmit(
      (values) => save.mutate({ orgSlug, policy: values }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Sign-in policy" className="flex flex-col gap-5">
      {canManage ? null : <Alert tone="info">Only owners change the sign-in policy.</Alert>}
      <FormProblem message={formError} />
      <fieldset disabled={!canManage} className="flex flex-col gap-5">
        <div className="flex flex-col gap-1.5">
          <Checkbox
            label="Require single sign-on"
            description={
              ssoReady || policy.requireSso
                ? "Members can no longer sign in with a password, except the break-glass owners listed with the connection."
                : "Needs an enabled single sign-on connection and at least one break-glass owner (below)."
            }
            disabled={!canManage || (!ssoReady && !policy.requireSso)}
            {...register("requireSso")}
          />
        </div>
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-[13px] font-medium text-zinc-900">Second factor required from</legend>
          {MFA_REQUIREMENTS.map((value) => (
            <label key={value} className="flex items-center gap-2 text-[13px] text-zinc-800">
              <input type="radio" value={value} className="size-4 accent-[var(--color-accent)]" {...register("mfaRequirement")} />
              {MFA_LABELS[value]}
            </label>
          ))}
          {mfaRequirement === "roles" ? (
            <fieldset className="ml-6 flex flex-wrap gap-x-4 gap-y-2" aria-describedby={errors.mfaRoles ? `${formId}-roles-error` : undefined}>
              <legend className="sr-only">{LABELS.mfaRoles}</legend>
              {ROLES.map((role) => (
                <Checkbox key={role} label={role} value={role} {...register("mfaRoles")} />
              ))}
              {errors.mfaRoles ? (
                <p id={`${formId}-roles-error`} className="w-full text-xs text-red-700">
                  {errors.mfaRoles.message}
                </p>
              ) : null}
            </fieldset>
          ) : null}
          <p className="text-xs text-zinc-500">
            Members it applies to can use the organization only after setting up an authenticator app or a passkey on their account page. Single sign-on counts
            as their second factor.
          </p>
        </fieldset>
        <div className="grid gap-4 sm:grid-cols-3">
          <Input
            label={LABELS.stepUpMinutes}
            inputMode="numeric"
            {...register("stepUpMinutes")}
            error={errors.stepUpMinutes?.message}
            hint="Approvals, role and protection changes, new API keys and audit exports need an authentication this recent."
          />
          <Input
            label={LABELS.sessionIdleMinutes}
            inputMode="numeric"
            placeholder="10080 (7 days)"
            {...register("sessionIdleMinutes")}
            error={errors.sessionIdleMinutes?.message}
            hint="Signed out after this long without a request. Blank: 7 days."
          />
          <Input
            label={LABELS.sessionAbsoluteHours}
            inputMode="numeric"
            placeholder="720 (30 days)"
            {...register("sessionAbsoluteHours")}
            error={errors.sessionAbsoluteHours?.message}
            hint="Signed out this long after signing in, whatever happens. Blank: 30 days."
          />
        </div>
      </fieldset>
      {canManage ? (
        <div className="flex justify-end">
          <Button type="submit" variant="primary" loading={save.isPending}>
            Save policy
          </Button>
        </div>
      ) : null}
    </form>
  );
}
