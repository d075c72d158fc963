// Numbers as text, the same on the server and in every browser. `n.toLocaleString()` follows the
// runtime's locale: a page rendered on the server as "1,500" and hydrated in a German browser as
// "1.500" fails hydration (React #418). The app's text is English, so its numbers are too.
const count = new Intl.NumberFormat("en-US");

/** 1500 → "1,500", whatever the server's or the browser's locale. */
export function formatCount(n: number): string {
  return count.format(n);
}

/** A duration in milliseconds: "4.2 ms", "120 ms", "1.25 s", "12.5 s", "1.1 min"; "—" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${Number(ms.toFixed(1))} ms`;
}

/** Dollars with the precision small model costs need: "$0.0063", "$12.40", "$1,204"; a Decimal arrives as a string. "—" when unknown. */
export function formatUsd(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const usd = typeof value === "string" ? Number(value) : value;
  if (!Number.isFinite(usd)) return "—";
  if (usd === 0) return "$0";
  if (usd < 0.0001) return `$${usd.toLocaleString("en-US", { maximumSignificantDigits: 2, maximumFractionDigits: 10 })}`;
  if (usd < 1) return `$${usd.toFixed(4)}`;
  if (usd < 1000) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString("en-US")}`;
}

/** 1536 → "1.5 KB", 52_000 → "51 KB", 3_500_000 → "3.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
