// The address rules of Keel's egress policy (server/net/egress.ts does the network side): which
// addresses are public, and the operator's exceptions in KEEL_EGRESS_ALLOW (comma-separated
// CIDRs such as 127.0.0.0/8 or ::1/128, single addresses, and host names such as `localhost` or
// `models.internal`). Pure, without `server-only`, so server/env.ts can validate the variable at
// start-up with the same parser the policy uses.
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export type EgressPolicy = {
  /** The variable's text, as given (for display and for noticing a change). */
  source: string;
  cidrs: [Address, number][];
  /** Lower-case, without a trailing dot. */
  hosts: Set<string>;
};

export const NO_EXCEPTIONS: EgressPolicy = { source: "", cidrs: [], hosts: new Set() };

// RFC 1123 labels (underscores tolerated, as resolvers do); the last label is not all digits, so
// an address-like entry that is not a valid address (`10.0.0.256`, `2130706433`) is refused
// instead of being taken for a name.
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*(?=[a-z0-9_-]*[a-z_-])[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Parses KEEL_EGRESS_ALLOW; throws an Error naming the first bad entry. */
export function parseEgressAllow(raw: string | undefined): EgressPolicy {
  const source = (raw ?? "").trim();
  if (!source) return NO_EXCEPTIONS;
  const policy: EgressPolicy = { source, cidrs: [], hosts: new Set() };
  for (const item of source.split(",")) {
    const entry = item.trim();
    if (!entry) continue;
    const bare = entry.replace(/^\[([^\]]*)\](\/\d+)?$/, "$1$2");
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(bare) || (bare.includes(":") && ipaddr.IPv6.isValidCIDR(bare))) {
      const [address, bits] = ipaddr.parseCIDR(bare);
      policy.cidrs.push([address, bits]);
    } else if (ipaddr.IPv4.isValidFourPartDecimal(bare) || (bare.includes(":") && ipaddr.IPv6.isValid(bare))) {
      const address = ipaddr.parse(bare);
      policy.cidrs.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else {
      const host = entry.toLowerCase().replace(/\.$/, "");
      if (!HOST_NAME.test(host)) throw new Error(`"${entry}" is neither a CIDR (such as 127.0.0.0/8 or ::1/128), an IP address nor a host name`);
      policy.hosts.add(host);
    }
  }
  return policy;
}

/** Whether a host name (as in a URL, any case, maybe with a trailing dot) is allowed by name. */
export function isHostAllowed(policy: EgressPolicy, hostname: string): boolean {
  return policy.hosts.size > 0 && policy.hosts.has(hostname.toLowerCase().replace(/\.$/, ""));
}

/** An address literal as a URL or socket gives it (`[::1]`, `::ffff:127.0.0.1`, `10.0.0.1`), or null. */
export function parseAddress(text: string): Address | null {
  const bare = text.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (bare.includes(":") && ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return null;
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: "unspecified address",
  broadcast: "broadcast address",
  multicast: "multicast address",
  linkLocal: "link-local address",
  loopback: "loopback address",
  private: "private address",
  uniqueLocal: "private address",
  carrierGradeNat: "shared (carrier-grade NAT) address",
  ipv4Mapped: "IPv4-mapped IPv6 address",
};

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

function inAllowed(policy: EgressPolicy, address: Address): boolean {
  for (const [base, bits] of policy.cidrs) if (base.kind() === address.kind() && address.match(base, bits)) return true;
  return false;
}

/**
 * Why the policy refuses to connect to this address ("loopback address", …), or null when it
 * may: public unicast addresses, and whatever KEEL_EGRESS_ALLOW's CIDRs cover. An IPv4-mapped
 * IPv6 address is refused as such unless the IPv4 address inside it is allowed.
 */
export function refusalOf(policy: EgressPolicy, address: string | Address): string | null {
  const ip = typeof address === "string" ? parseAddress(address) : address;
  if (!ip) return "address that is not an IP address";
  const mapped = ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : null;
  if (inAllowed(policy, ip) || (mapped && inAllowed(policy, mapped))) return null;
  const range = ip.range();
  if (range === "unicast") {
    // IPv6 outside 2000::/3 (IPv4-compatible ::a.b.c.d and other unassigned space) is not the internet.
    if (ip.kind() === "ipv6" && !ip.match(GLOBAL_UNICAST_V6)) return "reserved address";
    return null;
  }
  return RANGE_NAMES[range] ?? "reserved address";
}

/**
 * What can be said of a URL without the network: "must be an http(s) URL", the refused kind of
 * an address literal (WHATWG URL has already turned `2130706433` into 127.0.0.1 and
 * `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`), "allowed" for a host the policy names, or
 * "name" when only a lookup can tell.
 */
export function literalVerdict(policy: EgressPolicy, url: string): { refused: string } | "allowed" | { name: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { refused: "must be an http(s) URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { refused: "must be an http(s) URL" };
  if (isHostAllowed(policy, parsed.hostname)) return "allowed";
  const literal = parseAddress(parsed.hostname);
  if (!literal) return { name: parsed.hostname };
  const reason = refusalOf(policy, literal);
  return reason ? { refused: refusedText(`a ${reason}`) } : "allowed";
}

/** The predicate of a save-time refusal ("is refused by …"), for "<field>: <predicate>" messages. */
export function refusedText(what: string): string {
  return `is refused by Keel's egress policy (${what}; an operator can allow it with KEEL_EGRESS_ALLOW)`;
}
