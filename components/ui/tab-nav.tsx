// Tabs that are links between pages (a dataset's items/versions/import/settings, the evaluation
// pages): a labelled <nav>, the current page marked with aria-current.
import Link from "next/link";
import { cn } from "./cn";

export type TabLink = { href: string; label: string; current: boolean };

export function TabNav({ label, tabs, className }: { label: string; tabs: readonly TabLink[]; className?: string }) {
  return (
    <nav aria-label={label} className={cn("mb-5 border-b border-zinc-200", className)}>
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
