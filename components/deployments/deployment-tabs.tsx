"use client";
// The tab links between the deployment pages (requests, history) and their addresses. A request's
// own page belongs to Requests.
import { usePathname } from "next/navigation";
import { TabNav } from "@/components/ui";

function query(params?: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams(
    Object.entries(params ?? {})
      .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "")
      .map(([k, v]) => [k, String(v)]),
  ).toString();
  return qs ? `?${qs}` : "";
}

export function deploymentsHref(orgSlug: string, projectSlug: string, sub?: "history", params?: Record<string, string | number | undefined>): string {
  return `/o/${orgSlug}/p/${projectSlug}/deployments${sub ? `/${sub}` : ""}${query(params)}`;
}

export function deploymentRequestHref(orgSlug: string, projectSlug: string, number: number): string {
  return `/o/${orgSlug}/p/${projectSlug}/deployments/${number}`;
}

export function DeploymentTabs({ orgSlug, projectSlug }: { orgSlug: string; projectSlug: string }) {
  const pathname = usePathname();
  const base = deploymentsHref(orgSlug, projectSlug);
  const history = deploymentsHref(orgSlug, projectSlug, "history");
  const inHistory = pathname === history || pathname.startsWith(`${history}/`);
  const tabs = [
    { href: base, label: "Requests", current: !inHistory && (pathname === base || pathname.startsWith(`${base}/`)) },
    { href: history, label: "History", current: inHistory },
  ];
  return <TabNav label="Deployments" tabs={tabs} />;
}
