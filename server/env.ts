import { z } from "zod";
import { literalVerdict, NO_EXCEPTIONS, parseEgressAllow } from "./net/egress-allow";
// Environment, validated once at start with a message naming the bad variable.

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL" }).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Signs sessions. Generated and kept in .keel/ in embedded mode; required otherwise. */
  KEEL_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** The address people use to reach Keel; https:// turns on Secure cookies and HSTS. */
  KEEL_PUBLIC_URL: z.url().optional(),
  /** Take the client IP from X-Forwarded-For (only behind a proxy you control). */
  KEEL_TRUST_PROXY: z.enum(["0", "1", "true", "false"]).default("0").transform((v) => v === "1" || v === "true"),
  KEEL_DATA_DIR: z.string().min(1).default(".keel"),
  /** Run the evaluation worker inside `npm start` (default); 0 when workers run as `npx keel worker`. */
  KEEL_WORKER: z.enum(["0", "1", "true", "false"]).default("1").transform((v) => v === "1" || v === "true"),
  /**
   * Exceptions to the egress policy (server/net/egress.ts): comma-separated CIDRs (127.0.0.0/8,
   * ::1/128), addresses and host names that outbound calls may reach although they are not public.
   */
  KEEL_EGRESS_ALLOW: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseEgressAllow(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  /** Where signed audit checkpoints go: a file path, or an http(s) URL (server/domain/audit/checkpoints.ts). */
  KEEL_AUDIT_CHECKPOINT_SINK: z.string().optional(),
})
  .superRefine((env, ctx) => {
    // A sink URL at a refused address literal fails at start, not at the first checkpoint; a name
    // is checked when the sink is called (no lookups here).
    const sink = env.KEEL_AUDIT_CHECKPOINT_SINK;
    if (!sink || !/^https?:\/\//i.test(sink)) return;
    let policy = NO_EXCEPTIONS;
    try {
      policy = parseEgressAllow(env.KEEL_EGRESS_ALLOW);
    } catch {
      return; // reported on KEEL_EGRESS_ALLOW itself
    }
    const verdict = literalVerdict(policy, sink);
    if (typeof verdict === "object" && "refused" in verdict) ctx.addIssue({ code: "custom", path: ["KEEL_AUDIT_CHECKPOINT_SINK"], message: verdict.refused });
  });

export type Env = z.infer<typeof schema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}
