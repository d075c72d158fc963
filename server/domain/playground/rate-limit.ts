import "server-only";
// Fixed-window rate limits kept in PostgreSQL, so every Keel instance shares them. Bookkeeping,
// not governed state: no audit event.
import type { Db } from "../../db/client";
import { AppError } from "../../errors";

export async function consumeRateLimit(db: Db, key: string, limit: number, windowMs: number, what: string): Promise<void> {
  const now = new Date();
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start = ${windowStart} THEN rate_limits.count + 1 ELSE 1 END,
      window_start = ${windowStart}
    RETURNING count`;
  if ((rows[0]?.count ?? 0) > limit) {
    const retryAfter = Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000);
    throw new AppError("TOO_MANY_REQUESTS", `Too many ${what}: at most ${limit} per ${Math.round(windowMs / 1000)} s. Try again in ${retryAfter} s.`);
  }
}
