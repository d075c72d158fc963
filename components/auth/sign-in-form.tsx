"use client";
// Signing in posts to next-auth's credentials endpoint, which has no zod schema to share: the form
// checks only that both fields are filled (the server says whether they are right). A person with
// a second factor is then asked for it (second step) and the form posts again with the proof.
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button, FormProblem, Input } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { placedZodResolver } from "@/components/lib/form-errors";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { SecondFactorForm } from "@/components/identity/second-factor-form";
import { errorInfo } from "@/components/lib/errors";
import { parseSecondFactorRequired, SECOND_FACTOR_FAILED_ERROR, type SecondFactorKind, type SecondFactorProof } from "@/server/contracts/identity";
import { describeSsoError } from "@/components/identity/sso-errors";

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeCallbackPath(value: string | null | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/";
}

export function describeSignInError(error: string): string {
  if (error === "CredentialsSignin") return "The email or password is not correct.";
  if (error.startsWith(`${SECOND_FACTOR_FAILED_ERROR}:`)) return error.slice(SECOND_FACTOR_FAILED_ERROR.length + 1);
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
  // After a right password, for a person with a second factor: what they entered and what they have.
  const [secondStep, setSecondStep] = useState<{ email: string; password: string; methods: SecondFactorKind[] } | null>(null);
  const trpc = useTRPC();
  const passkeyOptions = useMutation(trpc.mfa.signInPasskeyOptions.mutationOptions());

  async function submit(credentials: { email: string; password: string }, proof?: SecondFactorProof) {
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      ...credentials,
      ...(proof ? { secondFactor: JSON.stringify(proof) } : {}),
      redirect: false,
    }).catch(() => null);
    if (!result || result.error || !result.ok) {
      setPending(false);
      const methods = result?.error ? parseSecondFactorRequired(result.error) : null;
      if (methods) {
        setSecondStep({ ...credentials, methods });
        return;
      }
      setError(result?.error ? describeSignInError(result.error) : "Could not reach Keel. Check your connection and try again.");
      return;
    }
    router.replace(safeCallbackPath(callbackUrl));
    router.refresh();
  }

  const onValid = (values: z.output<typeof schema>) => submit(values);
  const onSubmit = (e: FormEvent) => {
    setError(null);
    return form.handleSubmit(onValid, () => focusFirstInvalid(formId))(e);
  };

  if (secondStep) {
    const { methods, ...credentials } = secondStep;
    return (
      <div className="flex flex-col gap-3">
        <div>
          <h2 className="text-sm font-semibold text-zinc-900">Confirm it&apos;s you</h2>
          <p className="mt-1 text-[13px] text-zinc-600">Your account has two-factor authentication. Confirm your sign-in as {credentials.email}.</p>
        </div>
        <SecondFactorForm
          label="Second factor"
          methods={methods}
          pending={pending}
          error={error}
          submitLabel="Sign in"
          onProof={(proof) => submit(credentials, proof)}
          getPasskeyOptions={async () => {
            try {
              return await passkeyOptions.mutateAsync(credentials);
            } catch (e) {
              throw new Error(errorInfo(e).message);
            }
          }}
          onCancel={() => {
            setSecondStep(null);
            setError(null);
          }}
          cancelLabel="Sign in as someone else"
        />
      </div>
    );
  }

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
