// Start-up validation of the environment: a bad value stops the start with a message naming the variable.
import { describe, expect, it } from "vitest";
import { parseEnv as parseProcessEnv } from "./env";

const parseEnv = (vars: Record<string, string>) => parseProcessEnv({ NODE_ENV: "test", ...vars });

describe("KEEL_EGRESS_ALLOW", () => {
  it("takes CIDRs and host names", () => {
    expect(parseEnv({ KEEL_EGRESS_ALLOW: "127.0.0.0/8, ::1/128, localhost, models.internal" }).KEEL_EGRESS_ALLOW).toBe("127.0.0.0/8, ::1/128, localhost, models.internal");
    expect(parseEnv({}).KEEL_EGRESS_ALLOW).toBeUndefined();
  });

  it.each(["10.0.0.0/33", "300.1.2.3", "http://models.internal", "2130706433"])("refuses %s at start, naming the variable and the entry", (entry) => {
    expect(() => parseEnv({ KEEL_EGRESS_ALLOW: `127.0.0.0/8,${entry}` })).toThrow(`KEEL_EGRESS_ALLOW: "${entry}" is neither a CIDR`);
  });
});

describe("KEEL_AUDIT_CHECKPOINT_SINK", () => {
  it.each(["http://127.0.0.1:9/sink", "http://169.254.169.254/", "https://[::1]/sink", "http://2130706433/"])("refuses %s at start unless allowed", (sink) => {
    expect(() => parseEnv({ KEEL_AUDIT_CHECKPOINT_SINK: sink })).toThrow(/KEEL_AUDIT_CHECKPOINT_SINK: is refused by Keel's egress policy/);
    expect(parseEnv({ KEEL_AUDIT_CHECKPOINT_SINK: sink, KEEL_EGRESS_ALLOW: "127.0.0.0/8,169.254.169.254,::1/128" }).KEEL_AUDIT_CHECKPOINT_SINK).toBe(sink);
  });

  it("takes a file path or a public URL", () => {
    expect(parseEnv({ KEEL_AUDIT_CHECKPOINT_SINK: "/var/log/keel/checkpoints.jsonl" }).KEEL_AUDIT_CHECKPOINT_SINK).toBe("/var/log/keel/checkpoints.jsonl");
    expect(parseEnv({ KEEL_AUDIT_CHECKPOINT_SINK: "https://audit.example.com/keel" }).KEEL_AUDIT_CHECKPOINT_SINK).toBe("https://audit.example.com/keel");
  });
});
