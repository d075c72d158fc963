"use client";
// Signing in posts to next-auth's credentials endpoint, which has no zod schema to share: the form
// checks only that both fields are filled (the server says whether they are right).
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { placedZodResolver } from "@/components/lib/form-errors";
import { describeSsoError } from "@/components/identity/sso-errors";

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeCallbackPath(value: string | null | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

export function describeSignInError(error: string): string {
  if (error === "CredentialsSignin") return "The email or password is not correct.";
  if (/^Too many attempts/.test(error)) return error;
  return describeSsoError(error) ?? "Signing in failed. Try again in a moment.";
}

const LABELS = { email: "Email", password: "Password" };
const schema = z.object({ email: z.string().trim().min(1, "is required"), password: z.string().min(1, "is required") });

export function SignInForm({ callbackUrl, initialError }: { callbackUrl?: string; initialError?: string }) {
  const router = useRouter();
  const formId = useId();
  const form = useForm({ resolver: placedZodResolver(schema, { labels: LABELS }), defaultValues: { email: "", password: "" } });
  const {
    register,
    formState: { errors },
  } = form;
  const [error, setError] = useState<string | null>(initialError ? describeSignInError(initialError) : null);
  const [pending, setPending] = useState(false);

  async function onValid({ email, password }: z.output<typeof schema>) {
    setPending(true);
    const result = await signIn("credentials", { email, password, redirect: false }).catch(() => null);
    if (!result || result.error || !result.ok) {
      setPending(false);
      setError(result?.error ? describeSignInError(result.error) : "Could not reach Keel. Check your connection and try again.");
      return;
    }
    router.replace(safeCallbackPath(callbackUrl));
    router.refresh();
  }
  const onSubmit = (e: FormEvent) => {
    setError(null);
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Sign in" className="flex flex-col gap-4">
      <FormProblem message={error} />
      <Input label={LABELS.email} type="email" autoComplete="username" {...register("email")} error={errors.email?.message} autoFocus />
      <Input label={LABELS.password} type="password" autoComplete="current-password" {...register("password")} error={errors.password?.message} />
      <Button type="submit" variant="primary" loading={pending} className="mt-1 w-full">
        Sign in
      </Button>
    </form>
  );
}
