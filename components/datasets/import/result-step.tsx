"use client";
// Step 4: how the import ended: the new version (or "nothing new"), the validation report
// (nothing was written) with a way back to the mapping, or why it did not run.
import Link from "next/link";
import { formatBytes, formatCount } from "@/components/lib/format";
import { Alert, Button, ButtonLink, Card, CardBody, CardFooter, CardHeader, Stat, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { DatabaseIcon } from "@/components/ui/icons";
import type { Outcome } from "./upload-reader";

export function ResultStep({
  outcome,
  fileName,
  datasetHref,
  onBackToMapping,
  onAnotherFile,
}: {
  outcome: Outcome;
  fileName: string;
  datasetHref: string;
  onBackToMapping: () => void;
  onAnotherFile: () => void;
}) {
  if (outcome.kind === "done") {
    const { result } = outcome;
    const nothingNew = result.version === null;
    return (
      <Card aria-labelledby="import-result-title">
        <CardHeader titleId="import-result-title" title={nothingNew ? "Nothing new to import" : `Imported as version ${result.version}`} />
        <CardBody className="flex flex-col gap-4">
          <div role="region" aria-label="Import result">
            {nothingNew ? (
              <Alert tone="info" title="Every row is already in the dataset">
                {result.mode === "append"
                  ? `All ${formatCount(result.rows)} rows of ${fileName} equal existing items (${formatCount(result.duplicatesSkipped)} duplicates skipped), so no version was created and nothing changed.`
                  : `The ${formatCount(result.rows)} rows of ${fileName} match the dataset's items exactly, so no version was created and nothing changed.`}
              </Alert>
            ) : result.mode !== "append" ? (
              <Alert tone="success" title={`Version ${result.version} created`}>
                From {fileName}: {formatCount(result.added)} added
                {result.mode === "upsert" ? `, ${formatCount(result.updated)} updated` : `, ${formatCount(result.removed)} removed`},{" "}
                {formatCount(result.unchanged)} unchanged.
              </Alert>
            ) : (
              <Alert tone="success" title={`Version ${result.version} created`}>
                {formatCount(result.added)} {result.added === 1 ? "item" : "items"} added from {fileName}
                {result.duplicatesSkipped
                  ? `; ${formatCount(result.duplicatesSkipped)} ${result.duplicatesSkipped === 1 ? "row was" : "rows were"} already in the dataset and skipped`
                  : ""}
                .
              </Alert>
            )}
          </div>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-2 sm:grid-cols-5" aria-label="Import summary">
            <Stat label="Rows read">{formatCount(result.rows)}</Stat>
            <Stat label="Added">{formatCount(result.added)}</Stat>
            {result.mode === "upsert" ? <Stat label="Updated">{formatCount(result.updated)}</Stat> : null}
            {result.mode !== "append" ? <Stat label="Unchanged">{formatCount(result.unchanged)}</Stat> : null}
            {result.mode === "replace" ? <Stat label="Removed">{formatCount(result.removed)}</Stat> : null}
            {result.mode !== "upsert" ? <Stat label="Duplicates skipped">{formatCount(result.duplicatesSkipped)}</Stat> : null}
            <Stat label="File size">{formatBytes(result.bytes)}</Stat>
            <Stat label="SHA-256">
              <span title={result.sha256}>{result.sha256.slice(0, 12)}…</span>
            </Stat>
          </dl>
        </CardBody>
        <CardFooter className="justify-start">
          {result.version !== null ? (
            <ButtonLink variant="primary" href={`${datasetHref}?v=${result.version}`} icon={<DatabaseIcon size={14} />}>
              Browse version {result.version}
            </ButtonLink>
          ) : (
            <ButtonLink variant="primary" href={datasetHref} icon={<DatabaseIcon size={14} />}>
              Browse the dataset
            </ButtonLink>
          )}
          <ButtonLink href={`${datasetHref}/versions`}>All versions</ButtonLink>
          <Button variant="ghost" onClick={onAnotherFile}>
            Import another file
          </Button>
        </CardFooter>
      </Card>
    );
  }

  if (outcome.kind === "error") {
    return (
      <Card aria-labelledby="import-result-title">
        <CardHeader titleId="import-result-title" title="The import did not run" />
        <CardBody>
          <div role="region" aria-label="Import result">
            <Alert tone="error" title={outcome.status === 413 ? "The file is too large" : outcome.status === 403 ? "Not allowed" : "Nothing was imported"}>
              {outcome.message}
              {outcome.status === 401 ? (
                <>
                  {" "}
                  <Link href="/sign-in" className="font-medium underline">
                    Sign in again
                  </Link>
                </>
              ) : null}
            </Alert>
          </div>
        </CardBody>
        <CardFooter className="justify-start">
          <Button variant="primary" onClick={onBackToMapping}>
            Back to the mapping
          </Button>
          <Button onClick={onAnotherFile}>Choose another file</Button>
        </CardFooter>
      </Card>
    );
  }

  const { report } = outcome;
  return (
    <Card aria-labelledby="import-result-title">
      <CardHeader
        titleId="import-result-title"
        title="Nothing was imported"
        description={`${fileName}: ${formatCount(report.rowsRead)} rows read, ${formatCount(report.problemCount)} ${report.problemCount === 1 ? "problem" : "problems"} found. The dataset did not change.`}
      />
      <CardBody className="flex flex-col gap-3">
        <div role="region" aria-label="Import result">
          <Alert tone="error" title="The file has problems">
            {report.message}
          </Alert>
        </div>
        {report.problems.length ? (
          <div className="overflow-hidden rounded-md border border-zinc-200">
            <Table caption={`Problems found in ${fileName}`}>
              <THead>
                <TR>
                  <TH className="w-20">Row</TH>
                  <TH className="w-20">Line</TH>
                  <TH className="w-32">Field</TH>
                  <TH>Problem</TH>
                </TR>
              </THead>
              <TBody>
                {report.problems.map((p, i) => (
                  <TR key={i} className="align-top">
                    <TD className="font-mono text-xs">{p.row ?? "—"}</TD>
                    <TD className="font-mono text-xs">{p.line ?? "—"}</TD>
                    <TD className="font-mono text-xs">{p.field ?? "—"}</TD>
                    <TD className="text-xs text-red-800">{p.message}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          </div>
        ) : null}
        {report.problemCount > report.problems.length ? (
          <p className="text-xs text-zinc-500">
            Showing the first {formatCount(report.problems.length)} of {formatCount(report.problemCount)} problems.
          </p>
        ) : null}
      </CardBody>
      <CardFooter className="justify-start">
        <Button variant="primary" onClick={onBackToMapping}>
          Back to the mapping
        </Button>
        <Button onClick={onAnotherFile}>Choose another file</Button>
      </CardFooter>
    </Card>
  );
}
