"use client";
// The chain status panel: the chain's head, the latest verification (started with "Verify now",
// it runs in the background and reports its progress, polled every second while it runs), the
// latest signed checkpoint, the retention promise, and the organization's public signing key
// (what an auditor needs to check an export offline).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, CardHeader, Spinner, cn, ScrollArea } from "@/components/ui";
import { buttonClasses } from "@/components/ui/button";
import { DownloadIcon, KeyIcon, ShieldCheckIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { formatCount } from "@/components/lib/format";

type VerificationStatus = "running" | "ok" | "broken";

const STATUS_BADGES: Record<VerificationStatus, { tone: "accent" | "success" | "danger"; label: string }> = {
  running: { tone: "accent", label: "Running" },
  ok: { tone: "success", label: "OK" },
  broken: { tone: "danger", label: "Broken" },
};

export function publicKeyFileName(orgSlug: string) {
  return `keel-audit-${orgSlug}.pem`;
}

/** Saves text as a file without a round trip (the key is already on the page). */
function downloadText(text: string, fileName: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Fact({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={cn("min-w-0 bg-white px-4 py-3", className)}>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-1 text-[13px] text-zinc-800">{children}</dd>
    </div>
  );
}

/** "event 57 was altered" as a sentence of its own. */
function sentence(text: string | null): string {
  if (!text) return "";
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function seqText(seq: bigint | number) {
  return `#${seq.toString()}`;
}

export function ChainStatus({ orgSlug, onVerificationStarted }: { orgSlug: string; onVerificationStarted?: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({
    ...trpc.audit.status.queryOptions({ orgSlug }),
    // While a verification runs its progress moves: follow it every second.
    refetchInterval: (query) => (query.state.data?.verification?.status === "running" ? 1000 : false),
  });
  const [startError, setStartError] = useState<string | null>(null);
  const verifyNow = useMutation(
    trpc.audit.verifyNow.mutationOptions({
      onMutate: () => setStartError(null),
      onSuccess: async () => {
        onVerificationStarted?.();
        await queryClient.invalidateQueries({ queryKey: trpc.audit.status.queryKey({ orgSlug }) });
      },
      onError: (error) => setStartError(errorInfo(error).message),
    }),
  );

  const s = status.data;
  const v = s?.verification ?? null;
  const running = v?.status === "running";

  return (
    <Card aria-labelledby="chain-title">
      <CardHeader
        titleId="chain-title"
        title="Chain integrity"
        description="Each event carries the hash of the one before it. Verifying recomputes the chain and checks it against the latest signed checkpoint."
        actions={
          <Button icon={<ShieldCheckIcon />} loading={verifyNow.isPending} disabled={running || !s} onClick={() => verifyNow.mutate({ orgSlug })}>
            {running ? "Verifying…" : "Verify now"}
          </Button>
        }
      />
      {status.isPending ? (
        <div className="px-4 py-6 text-center">
          <Spinner label="Loading the chain status…" />
        </div>
      ) : status.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the chain status" error={status.error} />
        </div>
      ) : s ? (
        <>
          {startError ? (
            <div className="border-b border-zinc-200 px-4 py-3">
              <Alert tone="error" title="Verification could not start">
                {startError}
              </Alert>
            </div>
          ) : null}
          <dl className="grid gap-px bg-zinc-200 sm:grid-cols-2 lg:grid-cols-4">
            <Fact label="Chain head">
              {s.head ? (
                <>
                  <span className="font-mono font-medium">Event {seqText(s.head.seq)}</span>
                  <span className="block text-xs text-zinc-500">
                    <Time value={s.head.at} />
                  </span>
                  <span className="block truncate font-mono text-[11px] text-zinc-500" title={s.head.hash}>
                    {s.head.hash.slice(0, 16)}…
                  </span>
                </>
              ) : (
                <span className="text-zinc-500">No events yet</span>
              )}
            </Fact>
            <Fact label="Last verification">
              {/* The live region says what changed (started, finished, broken); the progress bar stays outside it so it is not read out every second. */}
              <div role="status" aria-label="Verification status">
                {v ? (
                  <>
                    <span className="flex flex-wrap items-center gap-1.5">
                      <Badge tone={STATUS_BADGES[v.status].tone}>
                        {v.status === "running" ? <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-current" /> : null}
                        {STATUS_BADGES[v.status].label}
                      </Badge>
                      <span className="text-xs text-zinc-500">
                        {v.finishedAt ? <Time value={v.finishedAt} mode="relative" /> : <Time value={v.startedAt} mode="relative" />}
                      </span>
                    </span>
                    <span className={cn("mt-1 block text-xs", v.status === "broken" ? "font-medium text-red-700" : "text-zinc-600")}>
                      {v.status === "running" ? `Checking events 1 to ${v.targetSeq.toString()}…` : v.message}
                    </span>
                  </>
                ) : (
                  <span className="text-zinc-500">Never verified</span>
                )}
              </div>
              {v?.status === "running" ? <VerificationProgress checked={Number(v.checkedSeq)} target={Number(v.targetSeq)} /> : null}
              {v ? <span className="mt-0.5 block text-[11px] text-zinc-500">Started by {v.startedBy}</span> : null}
            </Fact>
            <Fact label="Latest checkpoint">
              {s.checkpoint ? (
                <>
                  <span className="font-mono font-medium">Event {seqText(s.checkpoint.seq)}</span>
                  <span className="block text-xs text-zinc-500">
                    Signed <Time value={s.checkpoint.at} /> · key <span className="font-mono">{s.checkpoint.keyId}</span>
                  </span>
                  {s.checkpoint.sink ? (
                    <span className="block truncate text-xs text-zinc-500" title={s.checkpoint.sink}>
                      Sent to <span className="font-mono text-[11px]">{s.checkpoint.sink}</span>
                    </span>
                  ) : (
                    <span className="block text-xs text-zinc-500">No external sink configured</span>
                  )}
                  {s.checkpoint.sinkError ? <span className="mt-0.5 block text-xs font-medium text-red-700">Sink error: {s.checkpoint.sinkError}</span> : null}
                </>
              ) : (
                <span className="text-zinc-500">No checkpoint signed yet</span>
              )}
            </Fact>
            <Fact label="Retention">
              Audit events are never deleted; this organization keeps them at least {s.retentionYears} {s.retentionYears === 1 ? "year" : "years"}.
            </Fact>
          </dl>
          {v?.status === "broken" ? (
            <div className="border-t border-zinc-200 px-4 py-3">
              <Alert tone="error" title="The chain is broken">
                {sentence(v.message)} Treat the log from that event on as untrustworthy and investigate.
              </Alert>
            </div>
          ) : null}
          <SigningKey orgSlug={orgSlug} signingKey={s.signingKey} />
          <OfflineVerifier orgSlug={orgSlug} verifier={s.verifier} />
        </>
      ) : null}
    </Card>
  );
}

function VerificationProgress({ checked, target }: { checked: number; target: number }) {
  const share = target > 0 ? Math.min(1, checked / target) : 0;
  return (
    <div className="mt-1.5 flex items-center gap-2">
      <div
        role="progressbar"
        aria-label="Verification progress"
        aria-valuemin={0}
        aria-valuemax={target}
        aria-valuenow={checked}
        aria-valuetext={`${formatCount(checked)} of ${formatCount(target)} events checked`}
        className="relative h-1.5 flex-1 overflow-hidden rounded-full bg-zinc-200"
      >
        <div className="absolute inset-y-0 left-0 bg-accent transition-[width] duration-500" style={{ width: `${share * 100}%` }} />
      </div>
      <span className="font-mono text-[11px] text-zinc-500 tabular-nums">
        {formatCount(checked)}/{formatCount(target)}
      </span>
    </div>
  );
}

function SigningKey({ orgSlug, signingKey }: { orgSlug: string; signingKey: { publicKey: string; keyId: string; createdAt: Date } | null }) {
  return (
    <div className="flex flex-col gap-3 border-t border-zinc-200 bg-zinc-50/60 px-4 py-3 sm:flex-row sm:items-start sm:justify-between">
      <div className="min-w-0 flex-1">
        <h3 className="flex items-center gap-1.5 text-[13px] font-semibold text-zinc-900">
          <KeyIcon size={13} className="text-zinc-500" />
          Public signing key
        </h3>
        {signingKey ? (
          <>
            <p className="mt-0.5 text-xs text-zinc-600">
              Ed25519 key <span className="font-mono text-zinc-800">{signingKey.keyId}</span>, created <Time value={signingKey.createdAt} />. It signs export
              manifests and checkpoints; anyone with it can check an export without Keel.
            </p>
            <details className="mt-1.5 text-xs">
              <summary className="cursor-pointer text-zinc-600 hover:text-zinc-900">Show the PEM</summary>
              <ScrollArea
                as="pre"
                label="Public signing key (PEM)"
                className="mt-1.5 overflow-x-auto rounded border border-zinc-200 bg-white px-2.5 py-2 font-mono text-[11px] text-zinc-800"
              >
                {signingKey.publicKey.trim()}
              </ScrollArea>
            </details>
          </>
        ) : (
          <p className="mt-0.5 text-xs text-zinc-500">Created with the first export: the key pair is made when a manifest first needs signing.</p>
        )}
      </div>
      {signingKey ? (
        <Button icon={<DownloadIcon size={14} />} onClick={() => downloadText(signingKey.publicKey, publicKeyFileName(orgSlug), "application/x-pem-file")}>
          Download public key
        </Button>
      ) : null}
    </div>
  );
}

/** The self-contained verifier (plain Node, no dependencies) with its published hash. */
function OfflineVerifier({ orgSlug, verifier }: { orgSlug: string; verifier: { fileName: string; sha256: string } }) {
  return (
    <div className="flex flex-col gap-3 border-t border-zinc-200 bg-zinc-50/60 px-4 py-3 sm:flex-row sm:items-start sm:justify-between">
      <div className="min-w-0 flex-1">
        <h3 className="flex items-center gap-1.5 text-[13px] font-semibold text-zinc-900">
          <ShieldCheckIcon size={13} className="text-zinc-500" />
          Offline verifier
        </h3>
        <p className="mt-0.5 text-xs text-zinc-600">
          One file for Node.js 18+, no dependencies, no Keel needed:{" "}
          <code className="font-mono text-zinc-800">node {verifier.fileName} audit.jsonl audit.jsonl.manifest.json --public-key key.pem</code>. Or check the
          signature and hashes with <code className="font-mono">openssl</code>, <code className="font-mono">sha256sum</code> and{" "}
          <code className="font-mono">jq</code> (docs/audit-verification.md).
        </p>
        <p className="mt-1 text-xs text-zinc-600">
          SHA-256 of {verifier.fileName}:{" "}
          <span className="font-mono break-all text-zinc-800" data-testid="verifier-sha256">
            {verifier.sha256}
          </span>
        </p>
      </div>
      <a href={`/api/audit/${encodeURIComponent(orgSlug)}/verifier`} download={verifier.fileName} className={buttonClasses({ className: "shrink-0" })}>
        <DownloadIcon size={14} aria-hidden="true" />
        Download verifier
      </a>
    </div>
  );
}
