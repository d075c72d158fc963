"use client";
// Asks for a second factor: a code from the authenticator app, a passkey, or a recovery code,
// among the methods the person has. It only collects the proof and hands it to onProof; the caller
// sends it (the sign-in form's second step; step-up dialogs) and passes back pending and error.
import { useId, useState, type FormEvent } from "react";
import { Button, FormProblem, Input } from "@/components/ui";
import type { SecondFactorKind, SecondFactorProof } from "@/server/contracts/identity";
import { runPasskeyAssertion, type PasskeyOptions } from "./passkey-client";

export type SecondFactorFormProps = {
  /** The methods the person has, in the order to offer them (e.g. from "SecondFactorRequired:totp,passkey"). */
  methods: readonly SecondFactorKind[];
  /** Receives the proof to send; may return a promise (pending shows meanwhile if the caller sets it). */
  onProof: (proof: SecondFactorProof) => void | Promise<void>;
  /** Passkey options from the server (a challenge for this person); needed when methods include "passkey". */
  getPasskeyOptions?: () => Promise<PasskeyOptions>;
  /** The caller is sending a proof. */
  pending?: boolean;
  /** The caller's error for the last proof (e.g. "That code is not correct or was already used."). */
  error?: string | null;
  /** The verify button's label. */
  submitLabel?: string;
  /** Shows a "Cancel" (or back) button. */
  onCancel?: () => void;
  cancelLabel?: string;
  /** The form's accessible name. */
  label?: string;
};

export function SecondFactorForm({
  methods,
  onProof,
  getPasskeyOptions,
  pending = false,
  error,
  submitLabel = "Verify",
  onCancel,
  cancelLabel = "Back",
  label = "Second factor",
}: SecondFactorFormProps) {
  const formId = useId();
  const hasTotp = methods.includes("totp");
  const hasPasskey = methods.includes("passkey") && !!getPasskeyOptions;
  const hasRecovery = methods.includes("recovery_code");
  const [mode, setMode] = useState<"totp" | "recovery_code" | "passkey">(hasTotp ? "totp" : hasPasskey ? "passkey" : "recovery_code");
  const [code, setCode] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const [passkeyPending, setPasskeyPending] = useState(false);
  const busy = pending || passkeyPending;

  async function startPasskey() {
    if (!getPasskeyOptions) return;
    setLocalError(null);
    setPasskeyPending(true);
    try {
      const { challengeId, options } = await getPasskeyOptions();
      const response = await runPasskeyAssertion(options);
      await onProof({ kind: "passkey", response: response as unknown as Extract<SecondFactorProof, { kind: "passkey" }>["response"], challengeId });
    } catch (e) {
      setLocalError(e instanceof Error ? e.message : "The passkey could not be used.");
    } finally {
      setPasskeyPending(false);
    }
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setLocalError(null);
    const value = code.trim();
    if (mode === "totp" && !/^\d{3}\s?\d{3}$/.test(value)) return setLocalError("Enter the 6-digit code from your authenticator app.");
    if (mode === "recovery_code" && value.replace(/[\s-]/g, "").length !== 10) return setLocalError("Enter one of your recovery codes, like abcde-12345.");
    if (mode === "totp") await onProof({ kind: "totp", code: value });
    else if (mode === "recovery_code") await onProof({ kind: "recovery_code", code: value });
  }

  const switchTo = (next: typeof mode) => {
    setMode(next);
    setCode("");
    setLocalError(null);
  };
  const shown = localError ?? error ?? null;

  return (
    <form id={formId} aria-label={label} onSubmit={onSubmit} noValidate className="flex flex-col gap-4">
      <FormProblem message={shown} label="Second factor problem" />
      {mode === "totp" ? (
        <Input
          key="totp"
          label="Authentication code"
          hint="The 6-digit code your authenticator app shows for Keel."
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]*"
          maxLength={7}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoFocus
          className="font-mono tracking-widest"
        />
      ) : mode === "recovery_code" ? (
        <Input
          key="recovery"
          label="Recovery code"
          hint="One of the codes you saved when you set up your second factor. Each works once."
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          maxLength={20}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoFocus
          className="font-mono"
        />
      ) : (
        <p className="text-[13px] text-zinc-600">Use the passkey on this device or your security key.</p>
      )}

      {mode === "passkey" ? (
        <Button type="button" variant="primary" className="w-full" loading={busy} onClick={() => void startPasskey()} autoFocus>
          Use a passkey
        </Button>
      ) : (
        <Button type="submit" variant="primary" className="w-full" loading={pending}>
          {submitLabel}
        </Button>
      )}

      <div className="flex flex-col items-start gap-1.5 text-[13px]">
        {hasPasskey && mode !== "passkey" ? (
          <Button type="button" variant="ghost" size="sm" loading={passkeyPending} onClick={() => void startPasskey()}>
            Use a passkey
          </Button>
        ) : null}
        {hasTotp && mode !== "totp" ? (
          <button type="button" className="text-zinc-600 underline underline-offset-2 hover:text-zinc-900" onClick={() => switchTo("totp")}>
            Use your authenticator app
          </button>
        ) : null}
        {hasRecovery && mode !== "recovery_code" ? (
          <button type="button" className="text-zinc-600 underline underline-offset-2 hover:text-zinc-900" onClick={() => switchTo("recovery_code")}>
            Use a recovery code
          </button>
        ) : null}
        {onCancel ? (
          <button type="button" className="text-zinc-600 underline underline-offset-2 hover:text-zinc-900" onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </button>
        ) : null}
      </div>
    </form>
  );
}
