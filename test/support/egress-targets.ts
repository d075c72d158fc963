// The forbidden outbound targets of Keel's egress policy (issue: "outbound calls go only where an
// operator allows"), shared by the unit and integration tests. The loopback ones point at servers
// the test listens with, so a test can show nothing arrived there.
export type Ports = { v4: number; v6: number };

export const FORBIDDEN_TARGETS: [name: string, url: (p: Ports) => string, reason: RegExp][] = [
  ["127.0.0.1", (p) => `http://127.0.0.1:${p.v4}/v1`, /loopback address/],
  ["[::1]", (p) => `http://[::1]:${p.v6}/v1`, /loopback address/],
  ["0.0.0.0", (p) => `http://0.0.0.0:${p.v4}/v1`, /unspecified address/],
  ["10/8", () => "http://10.1.2.3/v1", /private address/],
  ["172.16/12", () => "http://172.31.255.254/v1", /private address/],
  ["192.168/16", () => "http://192.168.1.1/v1", /private address/],
  ["169.254.169.254", () => "http://169.254.169.254/latest/meta-data/", /link-local address/],
  ["2130706433 (decimal 127.0.0.1)", (p) => `http://2130706433:${p.v4}/v1`, /loopback address/],
  ["[::ffff:127.0.0.1]", (p) => `http://[::ffff:127.0.0.1]:${p.v4}/v1`, /IPv4-mapped IPv6 address/],
  ["a name resolving to loopback (localhost)", (p) => `http://localhost:${p.v4}/v1`, /loopback address/],
];
