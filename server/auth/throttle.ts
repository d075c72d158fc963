import "server-only";
// Sign-in back-off. Failures are counted per client IP and per (account, IP) pair with
// exponential back-off, so an attacker slows themself down without locking out the real user,
// who signs in from another address. A looser per-account counter bounds distributed guessing
// (it backs off for at most a minute, so it can delay but never lock out the owner).
import type { Db } from "../db/client";

type Rule = { key: string; freeFailures: number; maxDelayMs: number };

function rules(email: string, ip: string | null): Rule[] {
  const addr = ip ?? "unknown";
  return [
    { key: `acct-ip:${email}|${addr}`, freeFailures: 4, maxDelayMs: 15 * 60_000 },
    { key: `ip:${addr}`, freeFailures: 20, maxDelayMs: 15 * 60_000 },
    { key: `acct:${email}`, freeFailures: 50, maxDelayMs: 60_000 },
  ];
}

function delayAfter(failures: number, rule: Rule): number {
  const over = failures - rule.freeFailures;
  if (over < 0) return 0;
  return Math.min(rule.maxDelayMs, 1000 * 2 ** over);
}

/** Seconds until another attempt is allowed, or 0. */
export async function loginRetryAfter(db: Db, email: string, ip: string | null, now = new Date()): Promise<number> {
  const rows = await db.loginThrottle.findMany({ where: { key: { in: rules(email, ip).map((r) => r.key) } } });
  const until = Math.max(0, ...rows.map((r) => r.blockedUntil.getTime()));
  return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
}

export async function recordLoginFailure(db: Db, email: string, ip: string | null, now = new Date()): Promise<void> {
  for (const rule of rules(email, ip)) {
    // One statement per key: concurrent failures increment atomically.
    const rows = await db.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttles (key, failures, last_failure_at, blocked_until)
      VALUES (${rule.key}, 1, ${now}, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttles.last_failure_at < ${new Date(now.getTime() - 24 * 3600_000)} THEN 1 ELSE login_throttles.failures + 1 END,
        last_failure_at = ${now}
      RETURNING failures`;
    const failures = rows[0]?.failures ?? 1;
    const delay = delayAfter(failures, rule);
    if (delay > 0) {
      await db.loginThrottle.update({ where: { key: rule.key }, data: { blockedUntil: new Date(now.getTime() + delay) } });
    }
  }
}

/** A successful sign-in clears this address's counters for the account. */
export async function clearLoginFailures(db: Db, email: string, ip: string | null): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key: { in: [`acct-ip:${email}|${ip ?? "unknown"}`, `acct:${email}`] } } });
}
