"use client";
// A new member chooses a password with their one-time link, then is signed in.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { setPasswordInput } from "@/server/contracts/accounts";
import { useTRPC } from "@/components/trpc/client";
import { Button, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";

const LABELS = { password: "New password", confirm: "Confirm password" };
// The procedure's password (the token comes with the link), typed twice.
const schema = setPasswordInput
  .pick({ password: true })
  .extend({ confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the password" });

export function SetPasswordForm({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: { password: "", confirm: "" } });
  const {
    register,
    formState: { errors },
  } = form;
  const [formError, setFormError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  const setPassword = useMutation(
    trpc.account.setPassword.mutationOptions({
      onSuccess: async (result, input) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email: result.email, password: input.password, redirect: false }).catch(() => null);
        router.replace(signedIn?.ok && !signedIn.error ? "/" : "/sign-in");
        router.refresh();
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      ({ password }) => setPassword.mutate({ token, password }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Choose a password" className="flex flex-col gap-4">
      <FormProblem message={formError} />
      <Input label="Email" type="email" name="email" autoComplete="username" value={email} readOnly />
      <Input
        label={LABELS.password}
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters."
        {...register("password")}
        error={errors.password?.message}
        autoFocus
      />
      <Input label={LABELS.confirm} type="password" autoComplete="new-password" {...register("confirm")} error={errors.confirm?.message} />
      <Button type="submit" variant="primary" loading={setPassword.isPending || signingIn} className="mt-1 w-full">
        Set password and sign in
      </Button>
    </form>
  );
}
