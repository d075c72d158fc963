"use client";
// Two-factor authentication on the account page: an authenticator app (TOTP) set up with a QR code
// or its key, passkeys (add, rename, remove), and the recovery codes that stand in for them.
// Removing a factor or regenerating codes asks for the password again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc/client";
import {
  ActionsTH,
  Alert,
  Badge,
  Button,
  Card,
  CardBody,
  CardHeader,
  CopyField,
  Dialog,
  Input,
  Spinner,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
} from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { errorInfo } from "@/components/lib/errors";
import { runPasskeyRegistration } from "@/components/identity/passkey-client";
import { RecoveryCodesPanel } from "./recovery-codes-panel";

type Passkey = RouterOutputs["mfa"]["status"]["passkeys"][number];
type Enrolment = RouterOutputs["mfa"]["beginTotp"];

/** Asks for the password before a removal or a regeneration; errors stay in the dialog. */
function PasswordDialog({
  open,
  title,
  description,
  confirmLabel,
  onClose,
  onConfirm,
  mutation,
}: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  onClose: () => void;
  onConfirm: (password: string) => void;
  mutation: { isPending: boolean; error: unknown; reset: () => void };
}) {
  const [password, setPassword] = useState("");
  const close = () => {
    setPassword("");
    mutation.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) onConfirm(password);
  };
  return (
    <Dialog open={open} onClose={close} title={title} description={description} size="sm">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label={title}>
        {mutation.error ? <Alert tone="error">{errorInfo(mutation.error).message}</Alert> : null}
        <Input label="Your password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <div className="flex justify-end gap-2">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="danger" loading={mutation.isPending} disabled={!password}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function TotpSetup({ enrolment, onConfirmed, onCancel }: { enrolment: Enrolment; onConfirmed: (codes: string[] | null) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const [code, setCode] = useState("");
  const confirm = useMutation(trpc.mfa.confirmTotp.mutationOptions({ onSuccess: (r) => onConfirmed(r.recoveryCodes) }));
  const error = confirm.error ? errorInfo(confirm.error) : null;
  return (
    <form
      aria-label="Set up an authenticator app"
      className="flex flex-col gap-4 rounded-md border border-zinc-200 p-4"
      onSubmit={(e) => {
        e.preventDefault();
        confirm.mutate({ code });
      }}
    >
      <ol className="list-decimal space-y-1 pl-5 text-[13px] text-zinc-700">
        <li>Open your authenticator app (1Password, Google Authenticator, Authy, …) and add an account.</li>
        <li>Scan the QR code, or type the setup key if you cannot scan.</li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        {/* eslint-disable-next-line @next/next/no-img-element -- a data URL generated on the server */}
        <img
          src={enrolment.qrDataUrl}
          alt="QR code for setting up Keel in an authenticator app"
          width={176}
          height={176}
          className="rounded border border-zinc-200 bg-white"
        />
        <div className="flex min-w-0 flex-1 flex-col gap-3">
          <CopyField label="Setup key" value={enrolment.secret} hint="Time-based, 6 digits, every 30 seconds." />
          <Input
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={error && (error.field === "code" || !error.field) ? error.message : undefined}
            className="font-mono tracking-widest"
          />
          <div className="flex gap-2">
            <Button type="submit" variant="primary" size="sm" loading={confirm.isPending}>
              Turn on
            </Button>
            <Button size="sm" onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </div>
      </div>
    </form>
  );
}

export function TwoFactorCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.mfa.status.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.mfa.status.queryKey() });
  const [message, setMessage] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [dialog, setDialog] = useState<null | { kind: "removeTotp" } | { kind: "regenerate" } | { kind: "removePasskey" | "rename"; passkey: Passkey }>(null);
  const [newName, setNewName] = useState("");
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  const [addingPasskey, setAddingPasskey] = useState(false);

  const done = async (text: string) => {
    setMessage(text);
    setDialog(null);
    await refresh();
  };
  const begin = useMutation(trpc.mfa.beginTotp.mutationOptions({ onSuccess: (r) => setEnrolment(r) }));
  const removeTotp = useMutation(trpc.mfa.removeTotp.mutationOptions({ onSuccess: () => done("The authenticator app was removed") }));
  const regenerate = useMutation(
    trpc.mfa.regenerateRecoveryCodes.mutationOptions({
      onSuccess: async (r) => {
        setCodes(r.recoveryCodes);
        await done("New recovery codes were created; the old ones no longer work");
      },
    }),
  );
  const removePasskey = useMutation(trpc.mfa.removePasskey.mutationOptions({ onSuccess: () => done("The passkey was removed") }));
  const rename = useMutation(trpc.mfa.renamePasskey.mutationOptions({ onSuccess: () => done("The passkey was renamed") }));
  const registrationOptions = useMutation(trpc.mfa.passkeyRegistrationOptions.mutationOptions());
  const register = useMutation(trpc.mfa.registerPasskey.mutationOptions());

  async function addPasskey() {
    setPasskeyError(null);
    setMessage("");
    setAddingPasskey(true);
    try {
      const { challengeId, options } = await registrationOptions.mutateAsync();
      const response = await runPasskeyRegistration(options);
      const result = await register.mutateAsync({ challengeId, response: response as never });
      if (result.recoveryCodes) setCodes(result.recoveryCodes);
      await done(`Passkey "${result.name}" was added`);
    } catch (e) {
      setPasskeyError(errorInfo(e).message);
    } finally {
      setAddingPasskey(false);
    }
  }

  const data = status.data;
  const hasFactor = !!data && (!!data.totp || data.passkeys.length > 0);

  return (
    <Card aria-labelledby="mfa-title">
      <CardHeader
        titleId="mfa-title"
        title="Two-factor authentication"
        description="A second step at sign-in: a code from an authenticator app or a passkey, with recovery codes in case you lose them."
        actions={hasFactor ? <Badge tone="success">On</Badge> : data ? <Badge tone="outline">Off</Badge> : null}
      />
      <p role="status" className="px-4 text-xs text-emerald-700">
        {message}
      </p>
      {status.isPending ? (
        <div className="px-4 py-6 text-center">
          <Spinner label="Loading your second factors…" />
        </div>
      ) : status.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load your second factors" error={status.error} />
        </div>
      ) : (
        <CardBody className="flex flex-col gap-5 py-4">
          {data!.requiredBy.length > 0 && !hasFactor ? (
            <Alert tone="warning" title="A second factor is required">
              {data!.requiredBy.map((o) => o.name).join(", ")} {data!.requiredBy.length === 1 ? "requires" : "require"} two-factor authentication. Set up an
              authenticator app or a passkey below to keep working there.
            </Alert>
          ) : null}
          {codes ? <RecoveryCodesPanel codes={codes} onDone={() => setCodes(null)} /> : null}

          <section aria-labelledby="totp-title" className="flex flex-col gap-2">
            <div className="flex items-center justify-between gap-4">
              <div>
                <h3 id="totp-title" className="text-[13px] font-semibold text-zinc-900">
                  Authenticator app
                </h3>
                <p className="text-[13px] text-zinc-500">
                  {data!.totp ? (
                    <>
                      Set up <Time value={data!.totp.confirmedAt} mode="date" />
                    </>
                  ) : (
                    "Codes from an app on your phone."
                  )}
                </p>
              </div>
              {data!.totp ? (
                <Button size="sm" variant="danger-ghost" onClick={() => setDialog({ kind: "removeTotp" })}>
                  Remove
                </Button>
              ) : enrolment ? null : (
                <Button size="sm" loading={begin.isPending} onClick={() => begin.mutate()}>
                  Set up
                </Button>
              )}
            </div>
            {begin.error ? <Alert tone="error">{errorInfo(begin.error).message}</Alert> : null}
            {enrolment && !data!.totp ? (
              <TotpSetup
                enrolment={enrolment}
                onCancel={() => setEnrolment(null)}
                onConfirmed={async (recoveryCodes) => {
                  setEnrolment(null);
                  if (recoveryCodes) setCodes(recoveryCodes);
                  await done("Two-factor authentication is on: you will be asked for a code when you sign in");
                }}
              />
            ) : null}
          </section>

          <section aria-labelledby="passkeys-title" className="flex flex-col gap-2">
            <div className="flex items-center justify-between gap-4">
              <div>
                <h3 id="passkeys-title" className="text-[13px] font-semibold text-zinc-900">
                  Passkeys
                </h3>
                <p className="text-[13px] text-zinc-500">Your device&apos;s screen lock or a security key.</p>
              </div>
              <Button size="sm" loading={addingPasskey} onClick={() => void addPasskey()}>
                Add a passkey
              </Button>
            </div>
            {passkeyError ? <Alert tone="error">{passkeyError}</Alert> : null}
            {data!.passkeys.length > 0 ? (
              <Table caption="Your passkeys">
                <THead>
                  <TR>
                    <TH>Name</TH>
                    <TH>Added</TH>
                    <TH>Last used</TH>
                    <ActionsTH />
                  </TR>
                </THead>
                <TBody>
                  {data!.passkeys.map((p) => (
                    <TR key={p.id}>
                      <TD className="font-medium text-zinc-900">{p.name}</TD>
                      <TD className="whitespace-nowrap text-zinc-500">
                        <Time value={p.createdAt} mode="date" />
                      </TD>
                      <TD className="whitespace-nowrap text-zinc-500">{p.lastUsedAt ? <Time value={p.lastUsedAt} mode="relative" /> : "Never"}</TD>
                      <TD className="text-right whitespace-nowrap">
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={`Rename passkey ${p.name}`}
                          onClick={() => {
                            setNewName(p.name);
                            setDialog({ kind: "rename", passkey: p });
                          }}
                        >
                          Rename
                        </Button>
                        <Button
                          size="sm"
                          variant="danger-ghost"
                          aria-label={`Remove passkey ${p.name}`}
                          onClick={() => setDialog({ kind: "removePasskey", passkey: p })}
                        >
                          Remove
                        </Button>
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            ) : null}
          </section>

          {hasFactor ? (
            <section aria-labelledby="recovery-title" className="flex items-center justify-between gap-4">
              <div>
                <h3 id="recovery-title" className="text-[13px] font-semibold text-zinc-900">
                  Recovery codes
                </h3>
                <p className="text-[13px] text-zinc-500">
                  {data!.recoveryCodesLeft} of 10 left.{data!.recoveryCodesLeft <= 3 ? " Create new ones before you run out." : ""}
                </p>
              </div>
              <Button size="sm" onClick={() => setDialog({ kind: "regenerate" })}>
                Create new codes
              </Button>
            </section>
          ) : null}
        </CardBody>
      )}

      <PasswordDialog
        open={dialog?.kind === "removeTotp"}
        title="Remove the authenticator app?"
        description="Sign-in will no longer ask for its codes. Confirm with your password."
        confirmLabel="Remove"
        onClose={() => setDialog(null)}
        onConfirm={(password) => removeTotp.mutate({ reauth: { password } })}
        mutation={removeTotp}
      />
      <PasswordDialog
        open={dialog?.kind === "regenerate"}
        title="Create new recovery codes?"
        description="Your current codes stop working. Confirm with your password."
        confirmLabel="Create new codes"
        onClose={() => setDialog(null)}
        onConfirm={(password) => regenerate.mutate({ reauth: { password } })}
        mutation={regenerate}
      />
      <PasswordDialog
        open={dialog?.kind === "removePasskey"}
        title={dialog?.kind === "removePasskey" ? `Remove passkey "${dialog.passkey.name}"?` : ""}
        description="It will no longer sign you in. Confirm with your password."
        confirmLabel="Remove"
        onClose={() => setDialog(null)}
        onConfirm={(password) => dialog?.kind === "removePasskey" && removePasskey.mutate({ passkeyId: dialog.passkey.id, reauth: { password } })}
        mutation={removePasskey}
      />
      <Dialog
        open={dialog?.kind === "rename"}
        onClose={() => {
          rename.reset();
          setDialog(null);
        }}
        title="Rename passkey"
        size="sm"
      >
        <form
          aria-label="Rename passkey"
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (dialog?.kind === "rename") rename.mutate({ passkeyId: dialog.passkey.id, name: newName });
          }}
        >
          {rename.error ? <Alert tone="error">{errorInfo(rename.error).message}</Alert> : null}
          <Input label="Name" value={newName} maxLength={60} onChange={(e) => setNewName(e.target.value)} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setDialog(null)}>Cancel</Button>
            <Button type="submit" variant="primary" loading={rename.isPending}>
              Save
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}
