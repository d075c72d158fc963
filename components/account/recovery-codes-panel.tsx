"use client";
// Recovery codes, shown the one time they exist in clear: copy, download, and an "I saved them"
// check before the panel can be closed.
import { useId, useState } from "react";
import { Alert, Button, Checkbox, useCopy } from "@/components/ui";

export function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  const { state, copy } = useCopy();
  const titleId = useId();
  const text = `Keel recovery codes (each works once)\n\n${codes.join("\n")}\n`;

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "keel-recovery-codes.txt";
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <section aria-labelledby={titleId} className="flex flex-col gap-3 rounded-md border border-amber-200 bg-amber-50/60 p-4">
      <h3 id={titleId} className="text-[13px] font-semibold text-zinc-900">
        Save your recovery codes
      </h3>
      <Alert tone="warning">
        If you lose your authenticator app and passkeys, a recovery code is the only way into your account. Each code works once. They are shown only now.
      </Alert>
      <ol aria-label="Recovery codes" className="grid grid-cols-2 gap-x-6 gap-y-1 font-mono text-[13px] text-zinc-900 sm:grid-cols-5">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" onClick={() => void copy(codes.join("\n"))}>
          {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the codes" : "Copy codes"}
        </Button>
        <Button size="sm" onClick={download}>
          Download
        </Button>
      </div>
      <Checkbox label="I saved my recovery codes somewhere safe" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
      <div>
        <Button variant="primary" size="sm" disabled={!saved} onClick={onDone}>
          Done
        </Button>
      </div>
    </section>
  );
}
