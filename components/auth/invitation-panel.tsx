"use client";
// The invitation page's actions. Signed in as the invited email: accept or decline. Signed in as
// someone else: sign out first. Signed out: sign in to accept, or create a Keel account through
// the link when the email has none yet.
import { useMutation } from "@tanstack/react-query";
import { signIn, signOut } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { invitationAccountInput } from "@/server/contracts/accounts";
import { useTRPC } from "@/components/trpc/client";
import type { RouterOutputs } from "@/components/trpc/client";
import { Alert, Button, FormProblem, Input, buttonClasses } from "@/components/ui";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";

type Invitation = NonNullable<RouterOutputs["account"]["invitation"]>;

export function InvitationPanel({ token, invitation }: { token: string; invitation: Invitation }) {
  const here = `/invite?token=${encodeURIComponent(token)}`;
  if (invitation.signedIn && invitation.signedIn.matches) return <AcceptOrDecline token={token} invitation={invitation} />;
  if (invitation.signedIn) {
    return (
      <div className="flex flex-col gap-4" role="region" aria-label="Invitation status">
        <Alert tone="warning" title="Signed in as someone else">
          This invitation is for {invitation.email}; you are signed in as {invitation.signedIn.email}. Sign out, then sign in as {invitation.email} to accept
          it.
        </Alert>
        <Button variant="primary" className="w-full" onClick={() => void signOut({ callbackUrl: here })}>
          Sign out
        </Button>
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-5">
      <section aria-labelledby="have-account" className="flex flex-col gap-2">
        <h2 id="have-account" className="text-[13px] font-semibold text-zinc-900">
          Already use Keel?
        </h2>
        <a href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`} className={buttonClasses({ variant: "primary", className: "w-full" })}>
          Sign in as {invitation.email} to accept
        </a>
      </section>
      <section aria-labelledby="new-account" className="flex flex-col gap-3 border-t border-zinc-200 pt-5">
        <h2 id="new-account" className="text-[13px] font-semibold text-zinc-900">
          New to Keel? Create your account
        </h2>
        <CreateAccountForm token={token} invitation={invitation} />
      </section>
    </div>
  );
}

function AcceptOrDecline({ token, invitation }: { token: string; invitation: Invitation }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(
    trpc.account.acceptInvitation.mutationOptions({
      onSuccess: (result) => {
        router.replace(`/o/${result.orgSlug}`);
        router.refresh();
      },
    }),
  );
  const decline = useMutation(trpc.account.declineInvitation.mutationOptions({ onSuccess: () => router.refresh() }));
  const error = accept.error ?? decline.error;
  return (
    <div className="flex flex-col gap-4" role="region" aria-label="Invitation">
      {error ? <Alert tone="error">{errorInfo(error).message}</Alert> : null}
      {decline.isSuccess ? (
        <Alert tone="success">You declined the invitation. {invitation.organization.name} was told.</Alert>
      ) : (
        <>
          <p className="text-[13px] text-zinc-600">
            {invitation.signedIn?.alreadyMember
              ? `You are already a member of ${invitation.organization.name}; accepting closes the invitation.`
              : `You are signed in as ${invitation.email}.`}
          </p>
          <Button variant="primary" className="w-full" loading={accept.isPending} disabled={decline.isPending} onClick={() => accept.mutate({ token })}>
            Accept and join {invitation.organization.name}
          </Button>
          <Button className="w-full" loading={decline.isPending} disabled={accept.isPending} onClick={() => decline.mutate({ token })}>
            Decline
          </Button>
        </>
      )}
    </div>
  );
}

const LABELS = { name: "Your name", password: "Password", confirm: "Confirm password" };
// The procedure's name and password (the token comes with the link), the password typed twice.
const schema = invitationAccountInput
  .pick({ name: true, password: true })
  .extend({ confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the password" });

function CreateAccountForm({ token, invitation }: { token: string; invitation: Invitation }) {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: { name: "", password: "", confirm: "" } });
  const {
    register,
    formState: { errors },
  } = form;
  const [formError, setFormError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const create = useMutation(
    trpc.account.createAccountFromInvitation.mutationOptions({
      onSuccess: async (result, input) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email: result.email, password: input.password, redirect: false }).catch(() => null);
        router.replace(signedIn?.ok && !signedIn.error ? `/o/${result.orgSlug}` : "/sign-in");
        router.refresh();
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      ({ name, password }) => create.mutate({ token, name, password }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Create your account" className="flex flex-col gap-4">
      <FormProblem message={formError} />
      <Input label="Email" type="email" name="email" autoComplete="username" value={invitation.email} readOnly />
      <Input label={LABELS.name} autoComplete="name" {...register("name")} error={errors.name?.message} />
      <Input
        label={LABELS.password}
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters."
        {...register("password")}
        error={errors.password?.message}
      />
      <Input label={LABELS.confirm} type="password" autoComplete="new-password" {...register("confirm")} error={errors.confirm?.message} />
      <Button type="submit" variant="primary" loading={create.isPending || signingIn} className="w-full">
        Create account and join
      </Button>
    </form>
  );
}
