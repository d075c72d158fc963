"use client";
// The step-up dialog: a decision that needs a fresh authentication (approving a deployment,
// changing roles, creating an API key, exporting the audit trail …) asks the person to confirm it
// is them, then the decision goes through. Opened by the tRPC step-up link or a download button
// (step-up-store.ts); mounted once, beside the providers.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, useSyncExternalStore, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, Dialog, FormProblem, Input } from "@/components/ui";
import { errorInfo } from "@/components/lib/errors";
import { pendingStepUp, settleStepUp, subscribeStepUp } from "./step-up-store";
import { startSsoSignIn } from "./sso-sign-in-client";
import { SecondFactorForm } from "./second-factor-form";

const ORG_WINDOW = (minutes: number) => `this organization accepts one from the last ${minutes} minute${minutes === 1 ? "" : "s"}`;

export function StepUpDialog() {
  const orgSlug = useSyncExternalStore(subscribeStepUp, pendingStepUp, () => null);
  return (
    <Dialog
      open={orgSlug !== null}
      onClose={() => settleStepUp(false)}
      title="Confirm it's you"
      description="Decisions like this one need a recent authentication. Once you confirm, it goes through."
      size="sm"
      closeOnBackdrop={false}
    >
      {orgSlug ? <StepUpForm key={orgSlug} orgSlug={orgSlug} /> : null}
    </Dialog>
  );
}

function StepUpForm({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const status = useQuery(trpc.identity.stepUpStatus.queryOptions({ orgSlug }));
  const sso = useQuery(trpc.sso.reauthentication.queryOptions());
  const passkeyOptions = useMutation(trpc.mfa.passkeyOptions.mutationOptions());
  const [redirecting, setRedirecting] = useState(false);
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const stepUp = useMutation(
    trpc.identity.stepUp.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.identity.stepUpStatus.queryKey() });
        settleStepUp(true);
      },
      onError: (error) => setProblem(errorInfo(error).message),
    }),
  );

  if (status.isPending) return <p className="text-[13px] text-zinc-600">Loading…</p>;
  if (status.isError) return <FormProblem message={errorInfo(status.error).message} />;
  const s = status.data;

  const onPassword = (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    if (!password) return setProblem("Enter your password");
    stepUp.mutate({ proof: { kind: "password", password } });
  };
  const startSso = () => {
    setRedirecting(true);
    setProblem(null);
    startSsoSignIn(sso.data!.providerId, { callbackUrl: window.location.href }, { prompt: "login", max_age: "0" }).catch((error: unknown) => {
      setRedirecting(false);
      setProblem(errorInfo(error).message);
    });
  };

  return (
    <div className="flex flex-col gap-4">
      <p className="text-[13px] text-zinc-600">
        {s.lastVerified ? "Your last authentication was too long ago" : "This browser has not authenticated yet"}: {ORG_WINDOW(s.windowMinutes)}.
      </p>
      {s.methods.length > 0 ? (
        <SecondFactorForm
          label="Confirm with your second factor"
          methods={s.methods}
          onProof={(proof) => {
            setProblem(null);
            stepUp.mutate({ proof });
          }}
          getPasskeyOptions={() => passkeyOptions.mutateAsync()}
          pending={stepUp.isPending}
          error={problem}
          submitLabel="Confirm"
          onCancel={() => settleStepUp(false)}
          cancelLabel="Cancel"
        />
      ) : s.password ? (
        <form id={formId} onSubmit={onPassword} aria-label="Confirm with your password" className="flex flex-col gap-3" noValidate>
          <FormProblem message={problem} />
          <Input label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <div className="flex justify-end gap-2">
            <Button type="button" onClick={() => settleStepUp(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" loading={stepUp.isPending}>
              Confirm
            </Button>
          </div>
        </form>
      ) : null}
      {sso.data ? (
        <div className="flex flex-col gap-1.5 border-t border-zinc-200 pt-3">
          <Button type="button" loading={redirecting} onClick={startSso}>
            Confirm with single sign-on
          </Button>
          <p className="text-xs text-zinc-500">You sign in again at your identity provider and come back to this page; then repeat the decision.</p>
          {s.methods.length === 0 && !s.password ? <FormProblem message={problem} /> : null}
        </div>
      ) : null}
    </div>
  );
}
