"use client";
// Changing one's password ends every session of the user (the server bumps the session
// version), this one included; signing in again at once with the new password keeps this
// browser signed in.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { changePasswordInput } from "@/server/contracts/accounts";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver } from "@/components/lib/form-errors";

const LABELS = { currentPassword: "Current password", newPassword: "New password", confirm: "Confirm new password" };
// The procedure's input, with the new password typed twice.
const schema = changePasswordInput.extend({ confirm: z.string() }).refine((v) => v.newPassword === v.confirm, { path: ["confirm"], message: "does not match" });

const EMPTY = { currentPassword: "", newPassword: "", confirm: "" };

export function ChangePasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: EMPTY });
  const {
    register,
    formState: { errors },
  } = form;
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState<null | "signed-in" | "signed-out">(null);
  const [signingIn, setSigningIn] = useState(false);

  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: async (_result, input) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email, password: input.newPassword, redirect: false }).catch(() => null);
        setSigningIn(false);
        form.reset(EMPTY);
        if (signedIn?.ok && !signedIn.error) {
          setDone("signed-in");
          await queryClient.invalidateQueries();
          router.refresh();
        } else {
          setDone("signed-out");
        }
      },
      onError: (error) => setFormError(applyServerErrors(form, error, { labels: LABELS })),
    }),
  );

  const onSubmit = (e: FormEvent) => {
    setDone(null);
    setFormError(null);
    return form.handleSubmit(
      ({ currentPassword, newPassword }) => change.mutate({ currentPassword, newPassword }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Change password" className="flex flex-col gap-4">
      {done === "signed-in" ? (
        <Alert tone="success" title="Password changed">
          Your other sessions were signed out; this one continues with the new password.
        </Alert>
      ) : done === "signed-out" ? (
        <Alert tone="error" title="Password changed, but you were signed out">
          Sign in again with your new password.
        </Alert>
      ) : null}
      <FormProblem message={formError} />
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Input
        label={LABELS.currentPassword}
        type="password"
        autoComplete="current-password"
        {...register("currentPassword")}
        error={errors.currentPassword?.message}
        wrapperClassName="sm:max-w-xs"
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <Input
          label={LABELS.newPassword}
          type="password"
          autoComplete="new-password"
          hint="At least 12 characters."
          {...register("newPassword")}
          error={errors.newPassword?.message}
        />
        <Input label={LABELS.confirm} type="password" autoComplete="new-password" {...register("confirm")} error={errors.confirm?.message} />
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" loading={change.isPending || signingIn}>
          Change password
        </Button>
        <p className="text-xs text-zinc-500">Signs out your other sessions.</p>
      </div>
    </form>
  );
}
