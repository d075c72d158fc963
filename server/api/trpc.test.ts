import { describe, expect, it } from "vitest";
import { initTRPC } from "@trpc/server";
import { createRouter, orgProcedure } from "./trpc";

describe("createRouter", () => {
  it("refuses a procedure without an access declaration", () => {
    const raw = initTRPC.create().procedure.query(() => 1);
    expect(() => createRouter({ sneaky: raw } as never)).toThrow(/sneaky.*no access declaration/);
  });
  it("accepts procedures from the declaring builders", () => {
    expect(() => createRouter({ ok: orgProcedure("org:read").query(() => 1) })).not.toThrow();
  });
});
