"use client";
// A project's webhooks: where Keel sends signed deployment events, whether each is active, and how
// its last delivery went; a delivery log per webhook below the list. Adding, editing, deleting and
// redelivering need webhook:manage (the server checks again); webhook:read only reads.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { WEBHOOK_EVENTS, type WebhookEvent } from "@/server/contracts/deployments";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Badge, Button, Card, CardBody, CardHeader, EmptyState, PageHeader, TBody, TD, TH, THead, TR, Table, cn, QueryBody } from "@/components/ui";
import { LinkIcon, PencilIcon, PlusIcon, TrashIcon } from "@/components/ui/icons";
import { Time } from "@/components/lib/time";
import { DeliveriesLog, DeliveryStatus } from "./deliveries-log";
import { AddWebhookDialog, DeleteWebhookDialog, EditWebhookDialog, type Webhook } from "./webhook-dialogs";
import { VerifyHelp } from "./verify-help";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canManage: boolean };

export function WebhooksView({ orgSlug, projectSlug, projectName, canManage }: Props) {
  const trpc = useTRPC();
  const hooks = useQuery({
    ...trpc.webhooks.list.queryOptions({ orgSlug, projectSlug }),
    refetchInterval: (query) => (query.state.data?.some((h) => h.lastDelivery?.status === "pending") ? 3_000 : false),
  });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const shown = hooks.data?.find((h) => h.id === logOf) ?? null;

  const addButton = canManage ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setAdding(true)}>
      Add webhook
    </Button>
  ) : null;

  function showLog(id: string) {
    setLogOf(id);
    requestAnimationFrame(() => document.getElementById(`deliveries-${id}`)?.scrollIntoView({ block: "nearest", behavior: "smooth" }));
  }

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Webhooks"
        description="Keel sends a signed POST to each webhook when a deployment is requested, approved, rejected, deployed or rolled back, and retries failed deliveries."
        actions={addButton}
      />
      {!canManage ? (
        <p className="-mt-3 mb-4 text-xs text-zinc-500">Your role can see webhooks and their deliveries; owners and admins add and change them.</p>
      ) : null}
      <Card aria-labelledby="hooks-title">
        <div className="flex min-h-12 flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-3">
          <h2 id="hooks-title" className="text-sm font-semibold text-zinc-900">
            {hooks.data ? `${hooks.data.length} ${hooks.data.length === 1 ? "webhook" : "webhooks"}` : "Webhooks"}
          </h2>
          <p role="status" className="text-xs text-emerald-700">
            {status}
          </p>
        </div>
        <QueryBody
          query={hooks}
          what="webhooks"
          empty={
            <EmptyState
              icon={<LinkIcon />}
              title="No webhooks yet"
              description={canManage ? "Add one to tell chat, CI or a change log about deployments." : "An owner or admin can add webhooks to this project."}
              action={addButton}
            />
          }
        >
          {(data) => (
            <Table caption={`Webhooks of ${projectName}`}>
              <THead>
                <TR>
                  <TH>Endpoint</TH>
                  <TH>Events</TH>
                  <TH>Status</TH>
                  <TH>Secret</TH>
                  <TH>Last delivery</TH>
                  <ActionsTH />
                </TR>
              </THead>
              <TBody>
                {data.map((h) => (
                  <TR key={h.id} className={cn(logOf === h.id && "bg-accent-soft/40")}>
                    <TD className="max-w-sm">
                      <span className="block font-mono text-[12.5px] break-all text-zinc-900">{h.url}</span>
                      {h.description ? <span className="block text-xs text-zinc-500">{h.description}</span> : null}
                      <span className="block text-xs text-zinc-500">
                        Added by {h.createdByLabel} <Time value={h.createdAt} mode="relative" />
                      </span>
                    </TD>
                    <TD>
                      <ul className="flex max-w-72 min-w-40 flex-wrap gap-1" aria-label="Events">
                        {h.events.map((e) => (
                          <li key={e}>
                            <Badge mono title={WEBHOOK_EVENTS[e as WebhookEvent]}>
                              {e}
                            </Badge>
                          </li>
                        ))}
                      </ul>
                    </TD>
                    <TD>{h.active ? <Badge tone="success">Active</Badge> : <Badge tone="outline">Paused</Badge>}</TD>
                    <TD
                      className="font-mono text-xs whitespace-nowrap text-zinc-500"
                      title="Only the signing secret's first and last characters are shown, for recognition"
                    >
                      <span className="sr-only">Signing secret </span>
                      {h.secretHint}
                    </TD>
                    <TD className="whitespace-nowrap">
                      {h.lastDelivery ? (
                        <span className="flex flex-col items-start gap-0.5">
                          <span className="flex items-center gap-1.5">
                            <DeliveryStatus status={h.lastDelivery.status} />
                            {h.lastDelivery.lastStatusCode !== null ? (
                              <span className="font-mono text-xs text-zinc-600">{h.lastDelivery.lastStatusCode}</span>
                            ) : null}
                          </span>
                          <Time value={h.lastDelivery.createdAt} mode="relative" className="text-xs text-zinc-500" />
                        </span>
                      ) : (
                        <span className="text-zinc-500">None yet</span>
                      )}
                    </TD>
                    <TD className="text-right whitespace-nowrap">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-pressed={logOf === h.id}
                        aria-label={`Deliveries to ${h.url}`}
                        onClick={() => (logOf === h.id ? setLogOf(null) : showLog(h.id))}
                      >
                        Deliveries
                      </Button>
                      {canManage ? (
                        <>
                          <Button size="sm" variant="ghost" className="px-1.5" aria-label={`Edit ${h.url}`} onClick={() => setEditing(h)}>
                            <PencilIcon size={14} />
                          </Button>
                          <Button size="sm" variant="danger-ghost" className="px-1.5" aria-label={`Delete ${h.url}`} onClick={() => setDeleting(h)}>
                            <TrashIcon size={14} />
                          </Button>
                        </>
                      ) : null}
                    </TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </QueryBody>
      </Card>
      {shown ? (
        <div className="mt-6">
          <DeliveriesLog key={shown.id} orgSlug={orgSlug} projectSlug={projectSlug} webhook={shown} canManage={canManage} onClose={() => setLogOf(null)} />
        </div>
      ) : null}
      <Card aria-labelledby="verify-title" className="mt-6">
        <CardHeader
          title="Verifying deliveries"
          titleId="verify-title"
          description="Receivers should check every delivery's signature with the webhook's signing secret."
        />
        <CardBody className="py-4">
          <VerifyHelp />
        </CardBody>
      </Card>
      {canManage ? (
        <>
          <AddWebhookDialog
            open={adding}
            onClose={() => setAdding(false)}
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            onAdded={(url) => setStatus(`${url} was added`)}
          />
          <EditWebhookDialog
            webhook={editing}
            onClose={() => setEditing(null)}
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            onSaved={(url) => setStatus(`${url} was saved`)}
          />
          <DeleteWebhookDialog
            webhook={deleting}
            onClose={() => setDeleting(null)}
            orgSlug={orgSlug}
            projectSlug={projectSlug}
            onDeleted={(h) => (setStatus(`${h.url} was deleted`), logOf === h.id && setLogOf(null))}
          />
        </>
      ) : null}
    </>
  );
}
