"use client";
// The time left on the reviewer's lease of the current item, counting down each second. Not a
// live region (a ticking clock would drown a screen reader); it turns amber in the last minute
// and the page announces when the lease has run out.
import { useEffect, useEffectEvent, useState } from "react";
import { cn } from "@/components/ui";
import { ClockIcon } from "@/components/ui/icons";
import { formatCountdown } from "./model";

export function LeaseTimer({ until, onExpired }: { until: Date; onExpired: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const left = until.getTime() - now;
  const expired = useEffectEvent(onExpired);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (left <= 0) expired();
  }, [left]);
  const low = left < 60_000;
  return (
    <span
      title={`Your lease on this item lasts until ${until.toLocaleTimeString()}; it is renewed while this page is open.`}
      className={cn(
        "inline-flex h-8 items-center gap-1.5 rounded-md border px-2.5 text-[13px] tabular-nums",
        low ? "border-amber-300 bg-amber-50 text-amber-900" : "border-zinc-200 bg-white text-zinc-600",
      )}
    >
      <ClockIcon size={14} />
      <span>
        <span className="sr-only">Lease: </span>
        {formatCountdown(left)} left
      </span>
    </span>
  );
}
