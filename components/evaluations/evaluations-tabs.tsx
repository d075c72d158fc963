"use client";
// The tab links between the evaluation pages (runs, evaluators, compare, dashboard). A run's page
// belongs to Runs, an evaluator's page to Evaluators.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui";
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
  return (
    <nav aria-label="Evaluations" className="mb-5 border-b border-zinc-200">
      <ul className="-mb-px flex gap-1">
        {tabs.map((t) => (
          <li key={t.href}>
            <Link
              href={t.href}
              aria-current={t.current ? "page" : undefined}
              className={cn(
                "inline-flex h-9 items-center border-b-2 px-3 text-[13px] font-medium transition-colors",
                t.current ? "border-accent text-zinc-900" : "border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800",
              )}
            >
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
