"use client";
// The sign-in page's single sign-on: the instance-wide provider's button (when the operator set one
// up), and "Sign in with single sign-on": the person enters their work email, Keel finds the
// organizations whose connection allows its domain (the answer depends on the domain only, never
// on whether the address has an account), and sends them to their identity provider: at once when
// there is one, after they pick when there are several.
import { useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Button, FormProblem, Input } from "@/components/ui";
import { useZodForm } from "@/components/lib/form-errors";
import { ssoDiscoverInput } from "@/server/contracts/sso";
import { safeCallbackPath } from "@/components/auth/sign-in-form";
import { startSsoSignIn } from "./sso-sign-in-client";

type Found = { domain: string; organizations: { orgSlug: string; name: string; providerId: string }[] };

export function SsoSignIn({ callbackUrl, instanceProviders }: { callbackUrl?: string; instanceProviders: { providerId: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [found, setFound] = useState<Found | null>(null);
  const [going, setGoing] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function go(providerId: string) {
    setProblem(null);
    setGoing(providerId);
    try {
      await startSsoSignIn(providerId, { callbackUrl: safeCallbackPath(callbackUrl) });
    } catch (error) {
      setGoing(null);
      setProblem(error instanceof Error ? error.message : "Single sign-on could not start. Try again.");
    }
  }

  const { form, onSubmit } = useZodForm({
    schema: ssoDiscoverInput,
    placement: { labels: { email: "Work email" } },
    defaultValues: { email: "" },
    formId,
    save: async ({ email }) => {
      setProblem(null);
      const result = await queryClient.fetchQuery(trpc.sso.discover.queryOptions({ email }));
      setFound(result);
      if (result.organizations.length === 1) await go(result.organizations[0]!.providerId);
    },
  });
  const {
    register,
    formState: { errors, isSubmitting },
  } = form;

  return (
    <div className="mt-4 flex flex-col gap-3">
      <div className="flex items-center gap-3 text-xs text-zinc-500" aria-hidden>
        <span className="h-px flex-1 bg-zinc-200" />
        or
        <span className="h-px flex-1 bg-zinc-200" />
      </div>
      <FormProblem message={problem} label="Single sign-on problem" />
      {instanceProviders.map((p) => (
        <Button key={p.providerId} className="w-full" loading={going === p.providerId} onClick={() => void go(p.providerId)}>
          Sign in with {p.name}
        </Button>
      ))}
      {!open ? (
        <Button className="w-full" onClick={() => setOpen(true)} aria-expanded={false}>
          Sign in with SSO
        </Button>
      ) : (
        <form id={formId} onSubmit={onSubmit} noValidate aria-label="Single sign-on" className="flex flex-col gap-3">
          <FormProblem message={errors.root?.message} />
          <Input
            label="Work email"
            type="email"
            autoComplete="username"
            {...register("email", { onChange: () => setFound(null) })}
            error={errors.email?.message}
            hint="Keel finds your organization's identity provider from your email's domain."
            autoFocus
          />
          {found && found.organizations.length === 0 ? (
            <p role="status" className="text-[13px] text-zinc-600">
              No organization signs in with single sign-on for {found.domain}. Sign in with your email and password above.
            </p>
          ) : null}
          {found && found.organizations.length > 1 ? (
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-1 text-[13px] font-medium text-zinc-800">Several organizations use {found.domain}: choose yours</legend>
              {found.organizations.map((o) => (
                <Button key={o.providerId} className="w-full" loading={going === o.providerId} onClick={() => void go(o.providerId)}>
                  {o.name}
                </Button>
              ))}
            </fieldset>
          ) : null}
          <Button type="submit" className="w-full" loading={isSubmitting || (going !== null && found?.organizations.length === 1)}>
            Continue with single sign-on
          </Button>
        </form>
      )}
    </div>
  );
}
