"use client";
// The tab links between the observability pages: the dashboard, the trace explorer (a trace's
// page belongs to Traces) and the settings (retention, gateway, guardrails, online evaluators,
// routing rules). Between the dashboard and the trace list the time window and the shared
// filters (prompt, model, environment) carry over, both ways.
import { usePathname, useSearchParams } from "next/navigation";
import { TabNav } from "@/components/ui";
import { observabilityHref, observabilitySettingsHref, sharedTabQuery, tracesHref } from "./model";

export function ObservabilityTabs({ orgSlug, projectSlug }: { orgSlug: string; projectSlug: string }) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const dashboardBase = observabilityHref(orgSlug, projectSlug);
  const tracesBase = tracesHref(orgSlug, projectSlug);
  const settings = observabilitySettingsHref(orgSlug, projectSlug);
  const under = (base: string) => pathname === base || pathname.startsWith(`${base}/`);
  // A trace's own page has no filters in its address: its tabs lead to the defaults.
  const page = pathname === dashboardBase ? "dashboard" : pathname === tracesBase ? "traces" : "other";
  const tabs = [
    { href: observabilityHref(orgSlug, projectSlug, sharedTabQuery(page, searchParams, "dashboard")), label: "Dashboard", current: pathname === dashboardBase },
    { href: tracesHref(orgSlug, projectSlug, sharedTabQuery(page, searchParams, "traces")), label: "Traces", current: under(tracesBase) },
    { href: settings, label: "Settings", current: under(settings) },
  ];
  return <TabNav label="Observability" tabs={tabs} />;
}
