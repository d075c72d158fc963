"use client";
// List pages keep their filters, page and page size in the address, so a reload or a shared link
// shows the same thing. One hook reads them and writes them back (replace, no scroll).
import { usePathname, useRouter, useSearchParams } from "next/navigation";

export type ParamValue = string | number | undefined;

export function useUrlParams() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();

  /** Sets (or, for undefined and "", removes) parameters; any change but paging starts again at page 1. */
  function setParams(next: Record<string, ParamValue>, { resetPage = true } = {}) {
    const params = new URLSearchParams(searchParams.toString());
    if (resetPage) params.delete("page");
    for (const [k, v] of Object.entries(next)) {
      if (v === undefined || v === "") params.delete(k);
      else params.set(k, String(v));
    }
    const qs = params.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  /** The page number (1 unless `page` is a whole number above 1) and the page size (25, 50 or 100). */
  function paging() {
    const page = Number(searchParams.get("page"));
    const size = Number(searchParams.get("size"));
    const pageSize: 25 | 50 | 100 = size === 50 || size === 100 ? size : 25;
    return { page: Number.isInteger(page) && page > 1 ? page : 1, pageSize };
  }

  return { searchParams, setParams, paging };
}
