// WAL positions as the replica routing compares them, and the read-after cookie that carries a
// browser's last one (the routing itself runs against a real standby in replica.int.test.ts).
import { describe, expect, it } from "vitest";
import { parseLsn, routeReads, readingFromReplica, UNKNOWN_WRITE_LSN } from "./replica";
import { readAfterCookie, readAfterOf } from "../api/http-context";

describe("WAL positions", () => {
  it("compare by their two hexadecimal halves, not as text", () => {
    expect(parseLsn("0/16B3748")).toBe(0x16b3748n);
    expect(parseLsn("1/0")! > parseLsn("0/FFFFFFFF")!).toBe(true);
    expect(parseLsn("A/10")! > parseLsn("9/FFFFFFF0")!).toBe(true);
    expect(parseLsn(UNKNOWN_WRITE_LSN)! > parseLsn("FFFFFFFF/FFFFFFFE")!).toBe(true);
    for (const junk of ["", "0/", "16B3748", "0/16B3748; Path=/", "x/1", null, undefined]) expect(parseLsn(junk)).toBeNull();
  });

  it("travel in the read-after cookie, which ignores anything that is not one", () => {
    const header = readAfterCookie("2/A0001F8");
    expect(header).toMatch(/^keel\.read-after=2%2FA0001F8; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    expect(readAfterOf(`other=1; ${header.split(";")[0]}`)).toBe("2/A0001F8");
    expect(readAfterOf("keel.read-after=DROP%20TABLE")).toBeNull();
    expect(readAfterOf(null)).toBeNull();
  });

  it("route nothing without a replica: reads stay on the primary", async () => {
    expect(await routeReads(null, async () => readingFromReplica())).toBe(false);
  });
});
