import { describe, expect, it } from "vitest";
import { canonicalJson, eventHash, GENESIS_HASH, toAuditJson, type HashedEvent } from "./canonical";

const event: HashedEvent = {
  orgId: "o",
  projectId: null,
  seq: "1",
  createdAt: "2026-01-01T00:00:00.000Z",
  actorType: "user",
  actorId: "u",
  actorLabel: "a@example.com",
  actorRole: "owner",
  action: "member.added",
  targetType: "membership",
  targetId: "u2",
  before: null,
  after: { role: "editor", email: "b@example.com" },
  outcome: "success",
  requestId: "r",
  ip: "127.0.0.1",
  userAgent: "ua",
};

describe("canonicalJson", () => {
  it("sorts keys recursively and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
  it("is independent of key insertion order", () => {
    expect(canonicalJson({ x: 1, y: "2" })).toBe(canonicalJson({ y: "2", x: 1 }));
  });
});

describe("eventHash", () => {
  it("changes when any field or the previous hash changes", () => {
    const h = eventHash(GENESIS_HASH, event);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(GENESIS_HASH, { ...event })).toBe(h);
    expect(eventHash(GENESIS_HASH, { ...event, after: { role: "admin", email: "b@example.com" } })).not.toBe(h);
    expect(eventHash(GENESIS_HASH, { ...event, seq: "2" })).not.toBe(h);
    expect(eventHash("1".repeat(64), event)).not.toBe(h);
  });
});

describe("toAuditJson", () => {
  it("redacts secrets, serialises dates and bigints, and strips NUL", () => {
    const out = toAuditJson({
      passwordHash: "$argon2id$...",
      secretHash: "abc",
      token: "t",
      secretHint: "sk-keel-abcd",
      when: new Date("2026-01-02T03:04:05.000Z"),
      seq: 12n,
      name: "a\u0000b",
      nested: [{ password: "p" }],
      skip: undefined,
    });
    expect(out).toEqual({
      passwordHash: "[redacted]",
      secretHash: "[redacted]",
      token: "[redacted]",
      secretHint: "sk-keel-abcd",
      when: "2026-01-02T03:04:05.000Z",
      seq: "12",
      name: "ab",
      nested: [{ password: "[redacted]" }],
    });
  });
});
