"use client";
// One webhook's delivery log, newest first and paged: each delivery's event, status, attempts and
// last status code; expanding one shows every attempt (time, status code, duration, error; what the
// receiver answered is never kept, see Keel's egress policy) and the payload sent. Managers can send a delivery's event again.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import {
  ActionsTH,
  Alert,
  Badge,
  Button,
  Card,
  CardHeader,
  EmptyState,
  Pagination,
  Spinner,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  cn,
  type BadgeTone,
  ScrollArea,
} from "@/components/ui";
import { ChevronDownIcon, ScrollIcon, XIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { errorInfo } from "@/components/lib/errors";
import { Time } from "@/components/lib/time";

type Props = { orgSlug: string; projectSlug: string; webhook: { id: string; url: string }; canManage: boolean; onClose: () => void };

const STATUS: Record<string, { label: string; tone: BadgeTone }> = {
  pending: { label: "Pending", tone: "warning" },
  succeeded: { label: "Succeeded", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
};

export function DeliveryStatus({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, tone: "neutral" as const };
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

export function DeliveriesLog({ orgSlug, projectSlug, webhook, canManage, onClose }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState<25 | 50 | 100>(25);
  const [open, setOpen] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const titleId = `deliveries-${webhook.id}`;
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ orgSlug, projectSlug, webhookId: webhook.id, page, pageSize }),
    placeholderData: keepPreviousData,
    // Pending deliveries are being sent or retried: follow them.
    refetchInterval: (query) => (query.state.data?.rows.some((d) => d.status === "pending") ? 2_000 : false),
  });
  const redeliver = useMutation(
    trpc.webhooks.redeliver.mutationOptions({
      onSuccess: async () => {
        setStatus("The event was queued for delivery again");
        setPage(1);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() }),
        ]);
      },
      onError: () => setStatus(""),
    }),
  );

  return (
    <Card aria-labelledby={titleId}>
      <CardHeader
        titleId={titleId}
        title={
          <>
            Deliveries to <span className="font-mono break-all">{webhook.url}</span>
          </>
        }
        description={
          <>
            Newest first.{" "}
            <span role="status" className="text-emerald-700">
              {status}
            </span>
          </>
        }
        actions={
          <>
            <Button size="sm" loading={deliveries.isFetching && !deliveries.isPending} onClick={() => void deliveries.refetch()}>
              Refresh
            </Button>
            <Button size="sm" variant="ghost" aria-label="Close the delivery log" className="px-1.5" onClick={onClose}>
              <XIcon />
            </Button>
          </>
        }
      />
      {redeliver.error ? (
        <div className="px-4 pt-3" role="region" aria-label="Redelivery problem">
          <Alert tone="error">{errorInfo(redeliver.error).message}</Alert>
        </div>
      ) : null}
      {deliveries.isPending ? (
        <div className="px-4 py-10 text-center">
          <Spinner label="Loading deliveries…" />
        </div>
      ) : deliveries.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the deliveries" error={deliveries.error} />
        </div>
      ) : deliveries.data.total === 0 ? (
        <EmptyState icon={<ScrollIcon />} title="No deliveries yet" description="Events this webhook subscribes to will be listed here as they are sent." />
      ) : (
        <>
          <Table caption={`Deliveries to ${webhook.url}`}>
            <THead>
              <TR>
                <TH>Event</TH>
                <TH>Status</TH>
                <TH>Attempts</TH>
                <TH>Last status code</TH>
                <TH>Created</TH>
                <TH>Delivered</TH>
                <ActionsTH />
              </TR>
            </THead>
            <TBody>
              {deliveries.data.rows.map((d) => {
                const expanded = open === d.id;
                const detailsId = `delivery-${d.id}`;
                return (
                  <Fragment key={d.id}>
                    <TR className={cn(expanded && "bg-zinc-50/70")}>
                      <TD className="font-mono text-[12.5px] text-zinc-900">{d.event}</TD>
                      <TD className="whitespace-nowrap">
                        <DeliveryStatus status={d.status} />
                        {d.status === "pending" && d.attempts > 0 ? (
                          <span className="block text-xs text-zinc-500">
                            next attempt <Time value={d.nextAttemptAt} />
                          </span>
                        ) : null}
                      </TD>
                      <TD className="tabular-nums">{d.attempts}</TD>
                      <TD className="font-mono tabular-nums">{d.lastStatusCode ?? <span className="text-zinc-500">—</span>}</TD>
                      <TD className="whitespace-nowrap text-zinc-500">
                        <Time value={d.createdAt} />
                      </TD>
                      <TD className="whitespace-nowrap text-zinc-500">
                        {d.deliveredAt ? <Time value={d.deliveredAt} /> : <span className="text-zinc-500">—</span>}
                      </TD>
                      <TD className="text-right whitespace-nowrap">
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-expanded={expanded}
                          aria-controls={detailsId}
                          onClick={() => setOpen(expanded ? null : d.id)}
                          icon={<ChevronDownIcon size={13} className={cn("transition-transform", expanded && "rotate-180")} />}
                        >
                          {expanded ? "Hide details" : "Details"}
                          <span className="sr-only"> of the {d.event} delivery</span>
                        </Button>
                        {canManage ? (
                          <Button
                            size="sm"
                            variant="ghost"
                            loading={redeliver.isPending && redeliver.variables?.deliveryId === d.id}
                            onClick={() => redeliver.mutate({ orgSlug, projectSlug, deliveryId: d.id })}
                          >
                            Redeliver
                            <span className="sr-only"> the {d.event} event</span>
                          </Button>
                        ) : null}
                      </TD>
                    </TR>
                    {expanded ? (
                      <TR id={detailsId} className="bg-zinc-50/70">
                        <TD colSpan={7} className="pt-0 pb-4">
                          <DeliveryDetails eventId={d.eventId} log={d.log} payload={d.payload} />
                        </TD>
                      </TR>
                    ) : null}
                  </Fragment>
                );
              })}
            </TBody>
          </Table>
          <Pagination
            page={deliveries.data.page}
            pageSize={deliveries.data.pageSize}
            total={deliveries.data.total}
            onPage={(p) => (setPage(p), setOpen(null))}
            onPageSize={(s) => (setPageSize(s), setPage(1), setOpen(null))}
            label="Delivery pages"
          />
        </>
      )}
    </Card>
  );
}

type Attempt = { at: string; attempt: number; statusCode: number | null; durationMs: number; error: string | null };

function DeliveryDetails({ eventId, log, payload }: { eventId: string; log: Attempt[]; payload: unknown }) {
  return (
    <div className="flex flex-col gap-3 pt-1">
      <p className="text-xs text-zinc-500">
        Event id <span className="font-mono text-zinc-700">{eventId}</span>
      </p>
      <section aria-label="Attempts" className="overflow-hidden rounded-md border border-zinc-200 bg-white">
        {log.length === 0 ? (
          <p className="px-3 py-2 text-xs text-zinc-500">Not attempted yet.</p>
        ) : (
          <Table caption="Attempts">
            <THead>
              <TR>
                <TH>#</TH>
                <TH>Time</TH>
                <TH>Status code</TH>
                <TH>Duration</TH>
                <TH>Error</TH>
              </TR>
            </THead>
            <TBody>
              {log.map((a) => (
                <TR key={`${a.attempt}-${a.at}`} className="align-top">
                  <TD className="font-mono text-xs text-zinc-500">{a.attempt}</TD>
                  <TD className="whitespace-nowrap">
                    <Time value={a.at} />
                  </TD>
                  <TD className={cn("font-mono tabular-nums", a.error ? "text-red-700" : "text-emerald-700")}>{a.statusCode ?? "—"}</TD>
                  <TD className="tabular-nums whitespace-nowrap">{a.durationMs} ms</TD>
                  <TD className="max-w-xs text-red-700">{a.error ?? <span className="text-zinc-500">—</span>}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </section>
      <details className="text-[13px]">
        <summary className="cursor-pointer font-medium text-zinc-700">Payload</summary>
        <ScrollArea
          as="pre"
          label="Payload"
          className="mt-1.5 max-h-80 overflow-auto rounded-md border border-zinc-200 bg-white px-3 py-2 font-mono text-xs leading-5 whitespace-pre-wrap text-zinc-800"
        >
          {JSON.stringify(payload, null, 2)}
        </ScrollArea>
      </details>
    </div>
  );
}
