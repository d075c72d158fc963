"use client";
// A new member chooses a password with their one-time link, then is signed in.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { password as passwordSchema } from "@/server/contracts/fields";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Input } from "@/components/ui";
import { focusFirstInvalid, formErrorsFrom, NO_ERRORS, validateWith, type FormErrors } from "@/components/lib/errors";

const LABELS = { password: "New password", confirm: "Confirm password" };
type Field = keyof typeof LABELS;
const schema = z
  .object({ password: passwordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the password" });

export function SetPasswordForm({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const formId = useId();
  const [values, setValues] = useState({ password: "", confirm: "" });
  const [errors, setErrors] = useState<FormErrors<Field>>(NO_ERRORS);
  const [signingIn, setSigningIn] = useState(false);

  const setPassword = useMutation(
    trpc.account.setPassword.mutationOptions({
      onSuccess: async (result) => {
        setSigningIn(true);
        const signedIn = await signIn("credentials", { email: result.email, password: values.password, redirect: false }).catch(() => null);
        router.replace(signedIn?.ok && !signedIn.error ? "/" : "/sign-in");
        router.refresh();
      },
      onError: (error) => {
        const next = formErrorsFrom(error, LABELS);
        setErrors(next);
        focusFirstInvalid(formId);
      },
    }),
  );

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const checked = validateWith(schema, values, LABELS);
    setErrors(checked);
    if (Object.keys(checked.fields).length) return focusFirstInvalid(formId);
    setPassword.mutate({ token, password: values.password });
  }

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Choose a password" className="flex flex-col gap-4">
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      <Input label="Email" type="email" name="email" autoComplete="username" value={email} readOnly />
      <Input
        label={LABELS.password}
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters."
        value={values.password}
        error={errors.fields.password}
        onChange={(e) => setValues((v) => ({ ...v, password: e.target.value }))}
        autoFocus
      />
      <Input
        label={LABELS.confirm}
        type="password"
        autoComplete="new-password"
        value={values.confirm}
        error={errors.fields.confirm}
        onChange={(e) => setValues((v) => ({ ...v, confirm: e.target.value }))}
      />
      <Button type="submit" variant="primary" loading={setPassword.isPending || signingIn} className="mt-1 w-full">
        Set password and sign in
      </Button>
    </form>
  );
}
