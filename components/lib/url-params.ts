"use client";
// List pages keep their filters, sort, page and page size in the address, so a reload or a shared
// link shows the same thing. One hook reads them and writes them back; one keeps a search box
// there. Writes start from the address itself (not the last render's searchParams) and go through
// the native history API, which Next keeps useSearchParams in step with: no navigation, no
// scrolling, and two quick changes (a sort, then its order) both stick. No page of the app reads
// searchParams on the server, so nothing needs a server round trip.
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

export type ParamValue = string | number | undefined;

/**
 * Sets (or, for undefined and "", removes) parameters of the current address; any change that does
 * not name `page` starts again at page 1 unless `resetPage` is false. `quiet` records the address
 * without telling Next (its own history state is passed through): for a value the page already holds
 * in its state, written from a timer, so a link being followed meanwhile is never turned back.
 */
export function writeParams(next: Record<string, ParamValue>, { resetPage = true, quiet = false } = {}) {
  const params = new URLSearchParams(window.location.search);
  if (resetPage && !("page" in next)) params.delete("page");
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined || v === "") params.delete(k);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  const href = qs ? `${window.location.pathname}?${qs}` : window.location.pathname;
  if (href === `${window.location.pathname}${window.location.search}`) return;
  window.history.replaceState(quiet ? window.history.state : null, "", href);
}

export function useUrlParams() {
  const searchParams = useSearchParams();

  /** The page number (1 unless `page` is a whole number above 1) and the page size (25, 50 or 100). */
  function paging() {
    const page = Number(searchParams.get("page"));
    const size = Number(searchParams.get("size"));
    const pageSize: 25 | 50 | 100 = size === 50 || size === 100 ? size : 25;
    return { page: Number.isInteger(page) && page > 1 ? page : 1, pageSize };
  }

  return { searchParams, setParams: writeParams, paging };
}

/**
 * A search box kept in the address under `param`: `search` is what is typed, `query` what the list
 * filters by, 250 ms after typing stops (at once with `submit`). The address follows `query`
 * quietly (see writeParams), so `searchParams.get(param)` is the value the page loaded with.
 */
export function useUrlSearch(param = "q", maxLength = 200) {
  const searchParams = useSearchParams();
  const initial = searchParams.get(param)?.slice(0, maxLength) ?? "";
  const [search, setSearch] = useState(initial);
  const [query, setQuery] = useState(initial);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  useEffect(() => {
    if ((new URLSearchParams(window.location.search).get(param) ?? "") !== query) writeParams({ [param]: query }, { quiet: true });
  }, [param, query]);

  /** Filters by what is typed now (or by `text`, e.g. "" to clear) without waiting. */
  const submit = (text = search) => setQuery(text.trim());
  return { search, setSearch, query, submit };
}
