// The sign-in throttle under concurrency, and a shared address that others' failures cannot lock
// a real user out of.
import { describe, expect, it } from "vitest";
import { getDb } from "../db/client";
import { signInWithPassword } from "../domain/users/sign-in";
import { IP_MAX_WAIT_MS, reserveLoginAttempt } from "./throttle";
import { createTestOrg, TEST_PASSWORD } from "@/test/support/factories";

const from = (ip: string) => ({ requestId: "r", ip, userAgent: "vitest" });

describe("sign-in throttle", () => {
  it("reserves only the allowed number of 30 parallel attempts", async () => {
    const now = new Date();
    const reservations = await Promise.all(Array.from({ length: 30 }, () => reserveLoginAttempt(getDb(), "parallel@example.com", "203.0.113.39", now)));
    expect(reservations.filter((r) => r.ok)).toHaveLength(4);
    expect(reservations.filter((r) => !r.ok).every((r) => !r.ok && r.retryAfterSeconds > 0)).toBe(true);
  });

  it("checks only the allowed number of 30 parallel wrong passwords", async () => {
    const t = await createTestOrg();
    const email = t.users.viewer.email;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => signInWithPassword(getDb(), { email, password: `wrong-guess-${i}` }, from("203.0.113.40"))),
    );
    // "invalid" means the password was verified; the rest were refused before any check. (A
    // fifth check is legitimate only if the pair's 1 s back-off ran out while the burst queued.)
    const verified = results.filter((r) => !r.ok && r.reason === "invalid").length;
    expect(verified).toBeGreaterThanOrEqual(4);
    expect(verified).toBeLessThanOrEqual(5);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBe(30 - verified);
    // The owner signs in from elsewhere meanwhile.
    expect(await signInWithPassword(getDb(), { email, password: TEST_PASSWORD }, from("198.51.100.41"))).toMatchObject({ ok: true });
  });

  it("lets a right password through a shared address other accounts' failures throttled, after a short wait", async () => {
    const t = await createTestOrg();
    const shared = "192.0.2.77";
    // 25 failures for 25 different (unknown) accounts from one office address: over its 20.
    const others = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        signInWithPassword(getDb(), { email: `nobody-${i}-${t.org.slug}@example.com`, password: "wrong-password" }, from(shared)),
      ),
    );
    expect(others.every((r) => !r.ok && r.reason === "invalid")).toBe(true);
    // The address is now over its allowance: a wait, bounded, never a refusal.
    const probe = await reserveLoginAttempt(getDb(), `probe-${t.org.slug}@example.com`, shared);
    expect(probe.ok).toBe(true);
    const waitMs = probe.ok ? probe.waitMs : 0;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(IP_MAX_WAIT_MS);
    expect(await signInWithPassword(getDb(), { email: t.users.editor.email, password: TEST_PASSWORD }, from(shared))).toMatchObject({
      ok: true,
      user: { id: t.users.editor.id },
    });
  });

  it("does not count successful sign-ins against their address: an office signing in all day waits for nothing", async () => {
    const t = await createTestOrg();
    const office = "192.0.2.88";
    for (let i = 0; i < 30; i++) {
      const user = Object.values(t.users)[i % 7]!;
      expect(await signInWithPassword(getDb(), { email: user.email, password: TEST_PASSWORD }, from(office))).toMatchObject({ ok: true });
    }
    expect(await reserveLoginAttempt(getDb(), `late-${t.org.slug}@example.com`, office)).toEqual({ ok: true, waitMs: 0 });
  });

  it("starts the pair's allowance again after a successful sign-in", async () => {
    const t = await createTestOrg();
    const email = t.users.reviewer.email;
    const ip = from("203.0.113.42");
    for (let i = 0; i < 3; i++) expect(await signInWithPassword(getDb(), { email, password: `typo-${i}-typo` }, ip)).toMatchObject({ reason: "invalid" });
    expect(await signInWithPassword(getDb(), { email, password: TEST_PASSWORD }, ip)).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) expect(await signInWithPassword(getDb(), { email, password: `typo-${i}-again` }, ip)).toMatchObject({ reason: "invalid" });
    expect(await signInWithPassword(getDb(), { email, password: TEST_PASSWORD }, ip)).toMatchObject({ ok: false, reason: "throttled" });
  });
});
