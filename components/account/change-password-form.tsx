"use client";
// Changing one's password ends every session of the user (the server bumps the session
// version), this one included; signing in again at once with the new password keeps this
// browser signed in.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { password } from "@/server/contracts/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";

const LABELS = { currentPassword: "Current password", newPassword: "New password", confirm: "Confirm new password" };
type Field = keyof typeof LABELS;
const schema = z
  .object({ currentPassword: z.string().min(1, "is required"), newPassword: password, confirm: z.string() })
  .refine((v) => v.newPassword === v.confirm, { path: ["confirm"], message: "does not match" });

const EMPTY = { currentPassword: "", newPassword: "", confirm: "" };

export function ChangePasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const [done, setDone] = useState<null | "signed-in" | "signed-out">(null);
  const [signingIn, setSigningIn] = useState(false);

  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: async (_result, input) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email, password: input.newPassword, redirect: false }).catch(() => null);
        setSigningIn(false);
        setValues(EMPTY);
        if (signedIn?.ok && !signedIn.error) {
          setDone("signed-in");
          await queryClient.invalidateQueries();
          router.refresh();
        } else {
          setDone("signed-out");
        }
      },
      onError: (error) => {
        setErrors(formErrorsFrom(error, LABELS));
        focusFirstInvalid(formId);
      },
    }),
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const checked = validateWith(schema, values, LABELS);
    setErrors(checked);
    if (Object.keys(checked.fields).length) return focusFirstInvalid(formId);
    change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  }

  const set = (field: Field) => (e: React.ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [field]: e.target.value }));

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
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Input label={LABELS.currentPassword} type="password" autoComplete="current-password" value={values.currentPassword} error={errors.fields.currentPassword} onChange={set("currentPassword")} wrapperClassName="sm:max-w-xs" />
      <div className="grid gap-4 sm:grid-cols-2">
        <Input label={LABELS.newPassword} type="password" autoComplete="new-password" hint="At least 12 characters." value={values.newPassword} error={errors.fields.newPassword} onChange={set("newPassword")} />
        <Input label={LABELS.confirm} type="password" autoComplete="new-password" value={values.confirm} error={errors.fields.confirm} onChange={set("confirm")} />
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
