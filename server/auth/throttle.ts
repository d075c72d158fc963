import "server-only";
// Sign-in back-off. Every attempt is reserved before its password is checked: one transaction
// locks the attempt's counters (per (account, IP) pair, per account, per IP), decides, and counts
// the attempt as a failure in advance, so parallel attempts cannot all slip past a check that
// only a later failure would have updated (30 parallel wrong passwords get the pair's 4 checks,
// not 16). A success clears the pair's and the account's counters and gives the address back the
// attempt it reserved, so an office's successful sign-ins never add up to a wait.
//
// - Per (account, IP): 4 free attempts, then exponential back-off (1 s, 2 s, … 15 min): refused.
//   The attacker slows themself down without locking out the real user at another address.
// - Per account: 50 free, then back-off capped at a minute: refused, so distributed guessing is
//   bounded while the owner is only ever delayed.
// - Per IP: 20 free, then a short server-side wait (at most IP_MAX_WAIT_MS) before the password
//   is checked, never a refusal: people behind one shared address (an office, a carrier NAT)
//   cannot be locked out by someone else's failures there.
import type { Db } from "../db/client";

type Rule = { key: string; freeFailures: number; maxDelayMs: number; refuses: boolean };

/** The longest an attempt waits for its address's failures (the per-IP rule never refuses). */
export const IP_MAX_WAIT_MS = 3_000;
/** Counters untouched for this long start again from zero. */
const FORGET_AFTER_MS = 24 * 3600_000;

function rules(email: string, ip: string | null): Rule[] {
  const addr = ip ?? "unknown";
  return [
    { key: `acct-ip:${email}|${addr}`, freeFailures: 4, maxDelayMs: 15 * 60_000, refuses: true },
    { key: `acct:${email}`, freeFailures: 50, maxDelayMs: 60_000, refuses: true },
    { key: `ip:${addr}`, freeFailures: 20, maxDelayMs: IP_MAX_WAIT_MS, refuses: false },
  ];
}

/** Back-off once `failures` attempts failed: 0 below the free allowance, then 1 s, 2 s, 4 s, … capped. */
function delayAfter(failures: number, rule: Rule): number {
  const over = failures - rule.freeFailures;
  if (over < 0) return 0;
  return Math.min(rule.maxDelayMs, 1000 * 2 ** over);
}

/** The wait before an attempt that is the `failures`-th over an address: 250 ms, 500 ms, 1 s, … capped. */
function ipWait(failures: number, rule: Rule): number {
  const over = failures - rule.freeFailures;
  return over <= 0 ? 0 : Math.min(rule.maxDelayMs, 250 * 2 ** (over - 1));
}

export type LoginReservation = { ok: true; waitMs: number } | { ok: false; retryAfterSeconds: number };

type Row = { key: string; failures: number; last_failure_at: Date; blocked_until: Date };

/**
 * Reserves a sign-in attempt: refused (with the seconds to wait) while the pair or the account is
 * backed off, else counted as a failure on every counter and allowed, after `waitMs` when the
 * address is over its allowance. Call clearLoginFailures when the password was right.
 */
export async function reserveLoginAttempt(db: Db, email: string, ip: string | null, now = new Date()): Promise<LoginReservation> {
  // Rows are created and locked in key order, so concurrent reservations never deadlock.
  const list = rules(email, ip).sort((a, b) => (a.key < b.key ? -1 : 1));
  const keys = list.map((r) => r.key);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`
        INSERT INTO login_throttles (key, failures, last_failure_at, blocked_until)
        SELECT k, 0, ${now}, ${now} FROM unnest(${keys}::text[]) AS k
        ON CONFLICT (key) DO NOTHING`;
      const rows = await tx.$queryRaw<Row[]>`
        SELECT key, failures, last_failure_at, blocked_until FROM login_throttles WHERE key = ANY(${keys}::text[]) ORDER BY key FOR UPDATE`;
      const byKey = new Map(rows.map((r) => [r.key, r]));
      const current = list.map((rule) => {
        const row = byKey.get(rule.key)!;
        const fresh = row.last_failure_at.getTime() >= now.getTime() - FORGET_AFTER_MS;
        return { rule, failures: fresh ? row.failures : 0, blockedUntil: fresh ? row.blocked_until.getTime() : 0 };
      });
      let refusedUntil = 0;
      for (const c of current) {
        if (c.rule.refuses && c.failures >= c.rule.freeFailures && c.blockedUntil > now.getTime()) refusedUntil = Math.max(refusedUntil, c.blockedUntil);
      }
      if (refusedUntil > 0) return { ok: false as const, retryAfterSeconds: Math.max(1, Math.ceil((refusedUntil - now.getTime()) / 1000)) };
      let waitMs = 0;
      for (const c of current) {
        const failures = c.failures + 1;
        const blockedUntil = new Date(now.getTime() + (c.rule.refuses ? delayAfter(failures, c.rule) : 0));
        if (!c.rule.refuses) waitMs = ipWait(failures, c.rule);
        await tx.$executeRaw`UPDATE login_throttles SET failures = ${failures}, last_failure_at = ${now}, blocked_until = ${blockedUntil} WHERE key = ${c.rule.key}`;
      }
      return { ok: true as const, waitMs };
    },
    // A burst of sign-ins queues for the row locks and the pool; each transaction is a few ms.
    { maxWait: 15_000, timeout: 15_000 },
  );
}

/**
 * A successful sign-in clears this address's counters for the account, and returns to the address
 * the one attempt its reservation counted (its other failures stay: they were someone's).
 */
export async function clearLoginFailures(db: Db, email: string, ip: string | null): Promise<void> {
  await db.$transaction([
    db.loginThrottle.deleteMany({ where: { key: { in: [`acct-ip:${email}|${ip ?? "unknown"}`, `acct:${email}`] } } }),
    db.$executeRaw`UPDATE login_throttles SET failures = GREATEST(failures - 1, 0) WHERE key = ${`ip:${ip ?? "unknown"}`}`,
  ]);
}
