"use client";
// The tab links between the observability pages: the dashboard, the trace explorer (a trace's
// page belongs to Traces) and the settings (retention, gateway, guardrails, online evaluators,
// routing rules).
import { usePathname } from "next/navigation";
import { TabNav } from "@/components/ui";
import { observabilityHref, observabilitySettingsHref, tracesHref } from "./model";

export function ObservabilityTabs({ orgSlug, projectSlug }: { orgSlug: string; projectSlug: string }) {
  const pathname = usePathname();
  const dashboard = observabilityHref(orgSlug, projectSlug);
  const traces = tracesHref(orgSlug, projectSlug);
  const settings = observabilitySettingsHref(orgSlug, projectSlug);
  const under = (base: string) => pathname === base || pathname.startsWith(`${base}/`);
  const tabs = [
    { href: dashboard, label: "Dashboard", current: pathname === dashboard },
    { href: traces, label: "Traces", current: under(traces) },
    { href: settings, label: "Settings", current: under(settings) },
  ];
  return <TabNav label="Observability" tabs={tabs} />;
}
