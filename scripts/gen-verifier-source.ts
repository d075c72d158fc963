// Writes server/audit/verifier/source.generated.ts: the text and SHA-256 of keel-verify.mjs, for
// the route that serves it (bundlers do not ship a server file's bytes reliably; a string does).
// `npm run gen:verifier` after changing keel-verify.mjs; verifier-source.test.ts fails when stale.
import { writeFileSync } from "node:fs";
import { generatedVerifierModule } from "../server/audit/verifier/generate";

writeFileSync(new URL("../server/audit/verifier/source.generated.ts", import.meta.url), generatedVerifierModule());
console.log("wrote server/audit/verifier/source.generated.ts");
