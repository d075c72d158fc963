import { z } from "zod";
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
  /** Run the evaluation worker as a child process of `npm start` (default); 0 when workers run as `npx keel worker`. */
  KEEL_WORKER: z.enum(["0", "1", "true", "false"]).default("1").transform((v) => v === "1" || v === "true"),
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
