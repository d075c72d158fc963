"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { Alert, Button, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeCallbackPath(value: string | null | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

export function describeSignInError(error: string): string {
  if (error === "CredentialsSignin") return "The email or password is not correct.";
  if (/^Too many attempts/.test(error)) return error;
  return "Signing in failed. Try again in a moment.";
}

export function SignInForm({ callbackUrl, initialError }: { callbackUrl?: string; initialError?: string }) {
  const router = useRouter();
  const formId = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});
  const [error, setError] = useState<string | null>(initialError ? describeSignInError(initialError) : null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const missing = { email: email.trim() ? undefined : "Email is required", password: password ? undefined : "Password is required" };
    setFieldErrors(missing);
    if (missing.email || missing.password) {
      setError(null);
      focusFirstInvalid(formId);
      return;
    }
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email: email.trim(), password, redirect: false }).catch(() => null);
    if (!result || result.error || !result.ok) {
      setPending(false);
      setError(result?.error ? describeSignInError(result.error) : "Could not reach Keel. Check your connection and try again.");
      return;
    }
    router.replace(safeCallbackPath(callbackUrl));
    router.refresh();
  }

  return (
    <form id={formId} onSubmit={onSubmit} noValidate aria-label="Sign in" className="flex flex-col gap-4">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Input label="Email" type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldErrors.email} autoFocus />
      <Input label="Password" type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldErrors.password} />
      <Button type="submit" variant="primary" loading={pending} className="mt-1 w-full">
        Sign in
      </Button>
    </form>
  );
}
