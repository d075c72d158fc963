// How a receiver checks that a delivery came from Keel: the signature header and a verifier.
import { ScrollArea } from "@/components/ui";
import { WEBHOOK_SIGNATURE_HEADER } from "@/server/contracts/deployments";

const SNIPPET = `import { createHmac, timingSafeEqual } from "node:crypto";

// rawBody: the request body exactly as received (before JSON.parse).
function verifyKeelSignature(secret, rawBody, header) {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  // Refuse old timestamps so a captured delivery cannot be replayed.
  if (!parts.v1 || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac("sha256", secret).update(\`\${t}.\${rawBody}\`).digest("hex");
  return parts.v1.length === expected.length && timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
}`;

export function VerifyHelp() {
  return (
    <div className="flex flex-col gap-2.5 text-[13px] text-zinc-600">
      <p>
        Each delivery is a <span className="font-mono text-zinc-900">POST</span> with a JSON body, the headers{" "}
        <span className="font-mono text-zinc-900">Keel-Event</span> and <span className="font-mono text-zinc-900">Keel-Delivery</span>, and a signature:
      </p>
      <ScrollArea
        as="pre"
        label="Signature header"
        className="overflow-x-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs text-zinc-800"
      >
        {`${WEBHOOK_SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`}
      </ScrollArea>
      <p>
        Recompute the HMAC-SHA256 of the timestamp, a dot and the raw body with the signing secret, compare it with{" "}
        <span className="font-mono text-zinc-900">v1</span> in constant time, and refuse timestamps more than five minutes old. Answer with any 2xx status
        within 10 seconds; anything else is retried with growing delays (six attempts in all). A redelivery keeps the event&apos;s{" "}
        <span className="font-mono text-zinc-900">id</span>, so receivers can ignore duplicates.
      </p>
      <ScrollArea
        as="pre"
        label="Verifying a delivery in Node.js"
        className="overflow-x-auto rounded-md bg-zinc-900 px-3 py-2 font-mono text-xs leading-relaxed text-zinc-100"
      >
        {SNIPPET}
      </ScrollArea>
    </div>
  );
}
