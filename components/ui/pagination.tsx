"use client";
// Page numbers for a server-paged list: first, last and the pages around the current one.
import { Button } from "./button";
import { Select } from "./field";
import { cn } from "./cn";
import { formatCount } from "@/components/lib/format";

export function pageList(page: number, pages: number): (number | "gap")[] {
  const wanted = new Set([1, pages, page - 1, page, page + 1].filter((p) => p >= 1 && p <= pages));
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | "gap")[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (typeof last === "number" && p - last > 1) out.push(p - last === 2 ? last + 1 : "gap");
    out.push(p);
  }
  return out;
}

/** The page sizes every paged list offers (the server's list inputs accept the same three). */
type PageSize = 25 | 50 | 100;
const PAGE_SIZES: readonly PageSize[] = [25, 50, 100];

export function Pagination({
  page,
  pageSize,
  total,
  onPage,
  onPageSize,
  label = "Pages",
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize?: (size: PageSize) => void;
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-200 px-4 py-2.5 text-[13px] text-zinc-600">
      <p>{first > total ? "No rows on this page" : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}</p>
      <div className="flex flex-wrap items-center gap-3">
        {pages > 1 ? (
          <nav aria-label={label}>
            <ul className="flex items-center gap-0.5">
              <li>
                <Button size="sm" variant="ghost" disabled={page <= 1} onClick={() => onPage(page - 1)}>
                  Previous
                </Button>
              </li>
              {pageList(page, pages).map((p, i) =>
                p === "gap" ? (
                  <li key={`gap-${i}`} aria-hidden="true" className="px-1 text-zinc-500">
                    …
                  </li>
                ) : (
                  <li key={p}>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Page ${p}`}
                      aria-current={p === page ? "page" : undefined}
                      onClick={() => onPage(p)}
                      className={cn("min-w-7 px-1.5 tabular-nums", p === page && "bg-zinc-900 text-white hover:bg-zinc-800 hover:text-white")}
                    >
                      {p}
                    </Button>
                  </li>
                ),
              )}
              <li>
                <Button size="sm" variant="ghost" disabled={page >= pages} onClick={() => onPage(page + 1)}>
                  Next
                </Button>
              </li>
            </ul>
          </nav>
        ) : null}
        {onPageSize ? (
          <Select
            label="Rows per page"
            hideLabel
            size="sm"
            value={String(pageSize)}
            onChange={(e) => onPageSize(Number(e.target.value) as PageSize)}
            boxClassName="w-32"
          >
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s} per page
              </option>
            ))}
          </Select>
        ) : null}
      </div>
    </div>
  );
}
