// Route matching (prompt names with folders and the suffix rules), route declarations refused at
// start-up, credentials, and If-None-Match.
import { describe, expect, it } from "vitest";
import { etagMatches } from "./http";
import { parseCredentials } from "./input";
import { compileRoutes, defineRoute, matchRoute } from "./route-table";
import { compiledPublicRoutes } from "./routes";

function resolve(method: string, pathname: string) {
  const match = matchRoute(compiledPublicRoutes, pathname);
  if (!match) return null;
  const route = match.group.byMethod.get(method);
  const params = Object.fromEntries(match.group.keys.map((k, i) => [k, decodeURIComponent(match.values[i]!)]));
  return { path: match.group.path, allowed: route !== undefined, params };
}

describe("prompt paths", () => {
  const P = "/api/public/v1/prompts";
  it.each([
    ["GET", `${P}`, `${P}`, {}],
    ["GET", `${P}/`, `${P}`, {}],
    ["GET", `${P}/greeting`, `${P}/{name}`, { name: "greeting" }],
    ["GET", `${P}/support%2Freply`, `${P}/{name}`, { name: "support/reply" }],
    ["GET", `${P}/support/reply`, `${P}/{name}`, { name: "support/reply" }],
    ["GET", `${P}/support/reply/`, `${P}/{name}`, { name: "support/reply" }],
    ["GET", `${P}/a/b/c`, `${P}/{name}`, { name: "a/b/c" }],
    // The last raw /versions is the suffix; an encoded one is part of the name.
    ["GET", `${P}/support/reply/versions`, `${P}/{name}/versions`, { name: "support/reply" }],
    ["POST", `${P}/support%2Freply/versions`, `${P}/{name}/versions`, { name: "support/reply" }],
    ["GET", `${P}/versions`, `${P}/{name}`, { name: "versions" }],
    ["GET", `${P}/versions/versions`, `${P}/{name}/versions`, { name: "versions" }],
    ["GET", `${P}/support%2Fversions`, `${P}/{name}`, { name: "support/versions" }],
    ["GET", `${P}/support/versions/versions`, `${P}/{name}/versions`, { name: "support/versions" }],
    ["GET", `${P}/support/versions`, `${P}/{name}/versions`, { name: "support" }],
    // labels/{label} at the end is the label route, whatever the method.
    ["PUT", `${P}/support/reply/labels/staging`, `${P}/{name}/labels/{label}`, { name: "support/reply", label: "staging" }],
    ["PUT", `${P}/a/labels/b/labels/prod`, `${P}/{name}/labels/{label}`, { name: "a/labels/b", label: "prod" }],
    ["PUT", `${P}/a%2Flabels%2Fb/labels/prod`, `${P}/{name}/labels/{label}`, { name: "a/labels/b", label: "prod" }],
    ["GET", `${P}/labels/prod`, `${P}/{name}`, { name: "labels/prod" }],
    ["GET", `${P}/a/labels/x/y`, `${P}/{name}`, { name: "a/labels/x/y" }],
    ["GET", "/api/public/v2/prompts/support%2Freply", "/api/public/v2/prompts/{name}", { name: "support/reply" }],
    ["GET", "/api/public/v2/prompts/support/versions", "/api/public/v2/prompts/{name}", { name: "support/versions" }],
  ])("%s %s -> %s", (method, pathname, path, params) => {
    expect(resolve(method, pathname)).toMatchObject({ path, params });
  });

  it("tells a method the path does not allow apart from an unknown path", () => {
    expect(resolve("GET", `${P}/a/labels/prod`)).toMatchObject({ allowed: false });
    expect(resolve("GET", "/api/public/v1/nothing")).toBeNull();
    expect(resolve("GET", `${P}/a`)).toMatchObject({ allowed: true });
  });
});

describe("route declarations", () => {
  const base = {
    method: "GET" as const,
    path: "/api/public/v1/x",
    operationId: "x",
    summary: "x",
    tag: "x",
    responses: {},
    errors: [],
    handle: () => ({ status: 200, body: {} }),
  };
  it("refuse a scope that does not grant the permission, person-only permissions and open routes without a reason", () => {
    expect(() => compileRoutes([defineRoute({ ...base, scope: "prompts:read", permission: "label:move" })])).toThrow(/does not grant/);
    expect(() => compileRoutes([defineRoute({ ...base, scope: "prompts:write", permission: "apikey:create" })])).toThrow(/does not grant/);
    expect(() => compileRoutes([defineRoute({ ...base, scope: "public", reason: "" })])).toThrow(/without a reason/);
    expect(() => compileRoutes([defineRoute({ ...base, scope: "any" }), defineRoute({ ...base, scope: "any" })])).toThrow(/twice/);
  });
  it("every route of the table declares a scope, and scoped routes a permission their scope grants", () => {
    for (const route of compiledPublicRoutes.routes) {
      expect(route.scope).toBeTruthy();
      if (route.scope !== "public" && route.scope !== "any") expect(route.permission).toBeTruthy();
    }
  });
});

describe("credentials and conditional requests", () => {
  it("parses Bearer and Basic, refuses the rest", () => {
    expect(parseCredentials("Bearer sk-keel-abc")).toEqual({ secret: "sk-keel-abc" });
    expect(parseCredentials(`Basic ${Buffer.from("pk-keel-x:sk-keel-y").toString("base64")}`)).toEqual({ publicKey: "pk-keel-x", secret: "sk-keel-y" });
    for (const header of [undefined, "", "Bearer", "Bearer ", "Token x", `Basic ${Buffer.from("nocolon").toString("base64")}`])
      expect(parseCredentials(header)).toBeNull();
  });
  it("matches If-None-Match strongly, weakly, in lists and with *", () => {
    expect(etagMatches('"a-b"', '"a-b"')).toBe(true);
    expect(etagMatches('W/"a-b"', '"a-b"')).toBe(true);
    expect(etagMatches('"x", "a-b"', '"a-b"')).toBe(true);
    expect(etagMatches("*", '"a-b"')).toBe(true);
    expect(etagMatches('"a-c"', '"a-b"')).toBe(false);
  });
});
