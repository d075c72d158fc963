"use client";
// The person's signed-in sessions: where and when, this one marked; any other can be ended at
// once (its cookie stops working on the next request).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import type { RouterOutputs } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, Card, CardHeader, ConfirmDialog, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { errorInfo } from "@/components/lib/errors";
import { AUTHENTICATION_METHOD_LABELS } from "@/server/contracts/identity-policy";

type Session = RouterOutputs["account"]["sessions"][number];

/** "Firefox on Linux" from a user agent, enough to recognise a device; the full string is in the title. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return "Unknown browser";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrome\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : /curl\//.test(ua)
            ? "curl"
            : "A browser";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Mac OS X|Macintosh/.test(ua)
      ? "macOS"
      : /Android/.test(ua)
        ? "Android"
        : /iPhone|iPad/.test(ua)
          ? "iOS"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  return os ? `${browser} on ${os}` : browser;
}

/** How the session signed in: "Single sign-on", "Password + passkey". */
function describeMethod(s: Pick<Session, "method" | "factor">): string {
  const first = s.method === "sso" ? "Single sign-on" : "Password";
  return s.factor ? `${first} + ${AUTHENTICATION_METHOD_LABELS[s.factor] ?? s.factor}` : first;
}

export function SessionsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const [status, setStatus] = useState("");
  const [confirmAll, setConfirmAll] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
  const revoke = useMutation(
    trpc.account.revokeSession.mutationOptions({
      onSuccess: async () => {
        setStatus("The session was ended");
        await refresh();
      },
    }),
  );
  const revokeOthers = useMutation(
    trpc.account.revokeOtherSessions.mutationOptions({
      onSuccess: async (r) => {
        setStatus(`${r.revoked} ${r.revoked === 1 ? "session was" : "sessions were"} ended`);
        setConfirmAll(false);
        await refresh();
      },
    }),
  );
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;

  return (
    <Card aria-labelledby="sessions-title">
      <CardHeader
        titleId="sessions-title"
        title="Sessions"
        description="Where you are signed in. Ending a session signs that browser out at once."
        actions={
          others > 0 ? (
            <Button size="sm" variant="danger-ghost" onClick={() => setConfirmAll(true)}>
              Sign out everywhere else
            </Button>
          ) : null
        }
      />
      <p role="status" className="px-4 text-xs text-emerald-700">
        {status}
      </p>
      {revoke.error ? (
        <div className="px-4 pb-2">
          <Alert tone="error">{errorInfo(revoke.error).message}</Alert>
        </div>
      ) : null}
      {sessions.isPending ? (
        <div className="px-4 py-6 text-center">
          <Spinner label="Loading sessions…" />
        </div>
      ) : sessions.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load your sessions" error={sessions.error} />
        </div>
      ) : (
        <Table caption="Your signed-in sessions">
          <THead>
            <TR>
              <TH>Device</TH>
              <TH>Address</TH>
              <TH>Signed in</TH>
              <TH>With</TH>
              <TH>Last active</TH>
              <ActionsTH />
            </TR>
          </THead>
          <TBody>
            {sessions.data.map((s: Session) => (
              <TR key={s.id}>
                <TD>
                  <span className="flex items-center gap-2 whitespace-nowrap" title={s.userAgent ?? undefined}>
                    <span className="font-medium text-zinc-900">{describeUserAgent(s.userAgent)}</span>
                    {s.current ? <Badge tone="outline">This browser</Badge> : null}
                  </span>
                </TD>
                <TD className="font-mono text-xs text-zinc-600">{s.ip ?? "—"}</TD>
                <TD className="whitespace-nowrap text-zinc-500">
                  <Time value={s.createdAt} />
                </TD>
                <TD className="whitespace-nowrap text-zinc-600">{describeMethod(s)}</TD>
                <TD className="whitespace-nowrap text-zinc-500">
                  <Time value={s.lastSeenAt} />
                </TD>
                <TD className="text-right">
                  {s.current ? null : (
                    <Button
                      size="sm"
                      variant="danger-ghost"
                      aria-label={`End the session of ${describeUserAgent(s.userAgent)} from ${s.ip ?? "an unknown address"}`}
                      loading={revoke.isPending && revoke.variables.sessionId === s.id}
                      onClick={() => revoke.mutate({ sessionId: s.id })}
                    >
                      End
                    </Button>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <ConfirmDialog
        open={confirmAll}
        onClose={() => setConfirmAll(false)}
        title="Sign out everywhere else?"
        confirmLabel="Sign out other sessions"
        onConfirm={() => revokeOthers.mutate()}
        mutation={revokeOthers}
      >
        <p>
          {others} other {others === 1 ? "session" : "sessions"} will be signed out at once. This browser stays signed in.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
