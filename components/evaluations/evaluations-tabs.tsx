"use client";
// The tab links between the evaluation pages (runs, evaluators, compare, dashboard). A run's page
// belongs to Runs, an evaluator's page to Evaluators.
import { usePathname } from "next/navigation";
import { TabNav } from "@/components/ui";
import { evaluationsHref } from "./model";

export function EvaluationsTabs({ orgSlug, projectSlug }: { orgSlug: string; projectSlug: string }) {
  const pathname = usePathname();
  const base = evaluationsHref(orgSlug, projectSlug);
  const under = (sub: string) => pathname === `${base}/${sub}` || pathname.startsWith(`${base}/${sub}/`);
  const tabs = [
    { href: base, label: "Runs", current: pathname === base || under("runs") || under("new") },
    { href: `${base}/evaluators`, label: "Evaluators", current: under("evaluators") },
    { href: `${base}/compare`, label: "Compare", current: under("compare") },
    { href: `${base}/dashboard`, label: "Dashboard", current: under("dashboard") },
  ];
  return <TabNav label="Evaluations" tabs={tabs} />;
}
