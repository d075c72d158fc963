import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable";

// The shapes below are what pg, pg-pool and Prisma 7's pg adapter threw on this machine with the
// database refusing connections and with the backend terminated mid-query.
describe("isDatabaseUnavailable", () => {
  it("recognises a database that cannot be reached or dropped the connection", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", errno: -111 });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("Invalid `db.user.findFirst()` invocation"), { code: "P1001" }))).toBe(true);
    const rawRefused = Object.assign(new Error("Raw query failed. Code: `N/A`."), {
      code: "P2010",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 } } },
    });
    expect(isDatabaseUnavailable(rawRefused)).toBe(true);
    const terminated = Object.assign(new Error("Raw query failed. Code: `57P01`."), {
      code: "P2010",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "57P01", kind: "postgres", code: "57P01" } } },
    });
    expect(isDatabaseUnavailable(terminated)).toBe(true);
    expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("the database system is starting up"), { code: "57P03" }) }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new AggregateError([refused], "all attempts failed"))).toBe(true);
  });

  it("leaves bugs, bad queries and refusals alone", () => {
    expect(isDatabaseUnavailable(new Error("Cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("invalid input syntax"), { code: "22P02" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("permission denied"), { code: "42501" }))).toBe(false);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    // A provider that reset the connection is the provider's failure, not the database's.
    const providerReset = new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
    expect(isDatabaseUnavailable(providerReset)).toBe(false);
  });
});
