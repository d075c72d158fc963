"use client";
// Dates in the viewer's time zone. Server and browser zones can differ, so the text is allowed
// to change on hydration; the machine-readable value is in dateTime and the full value in title.

const absolute = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDateTime(value: Date | string): string {
  return absolute.format(new Date(value));
}

export function formatRelative(value: Date | string, now = Date.now()): string {
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 30 * 86400) return relative.format(Math.round(seconds / 86400), "day");
  return dateOnly.format(new Date(value));
}

export function Time({ value, mode = "absolute", className }: { value: Date | string; mode?: "absolute" | "relative" | "date"; className?: string }) {
  const date = new Date(value);
  const text = mode === "relative" ? formatRelative(date) : mode === "date" ? dateOnly.format(date) : absolute.format(date);
  return (
    <time dateTime={date.toISOString()} title={absolute.format(date)} className={className} suppressHydrationWarning>
      {text}
    </time>
  );
}
