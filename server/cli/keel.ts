// The operator CLI: `npx keel <command>`. Errors are one line on stderr with a non-zero exit.
import { readFileSync } from "node:fs";
import os from "node:os";
import { Command, CommanderError } from "commander";
import { z } from "zod";
import { bootstrap, type Runtime } from "../runtime/bootstrap";
import { parseEnv, setting } from "../env";
import { SUPERVISED_ENV } from "../runtime/worker-process";

let runtime: Runtime | undefined;

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, migrate = true): Promise<T> {
  runtime = await bootstrap({ migrate, log: (line) => console.error(line) });
  try {
    return await fn(runtime);
  } finally {
    // The job queue is started by whatever queued work (e.g. the demo seed's evaluation runs).
    await (await import("../queue/boss")).stopBoss().catch(() => {});
    const { closeReadOnlyDb, getDb } = await import("../db/client");
    await getDb()
      .$disconnect()
      .catch(() => {});
    await closeReadOnlyDb().catch(() => {});
    await runtime.stop();
    runtime = undefined;
  }
}

function fail(message: string): never {
  throw new CommanderError(1, "keel.error", message);
}

function cliActorLabel() {
  return `cli:${os.userInfo().username}@${os.hostname()}`;
}

const program = new Command().name("keel").description("Keel operator commands").showHelpAfterError().exitOverride();

program
  .command("migrate")
  .description("apply pending database migrations")
  .action(() => withRuntime(async () => console.log("Database is up to date.")));

program
  .command("seed")
  .description("seed data")
  .option("--demo", "create the demo workspace (organization acme)")
  .action((opts: { demo?: boolean }) =>
    withRuntime(async () => {
      if (!opts.demo) fail("nothing to seed: pass --demo");
      const { seedDemoWorkspace, DEMO_PASSWORD, DEMO_USERS } = await import("../domain/seed/demo");
      const { created } = await seedDemoWorkspace();
      if (!created) return console.log("The demo workspace (acme) already exists.");
      console.log(`Demo workspace created. Sign in as ${DEMO_USERS.map((u) => u.email).join(", ")} with password ${DEMO_PASSWORD}.`);
    }),
  );

const user = program.command("user").description("manage users");
user
  .command("create")
  .description("create a user and add them to an organization")
  .requiredOption("--email <email>", "email address")
  .requiredOption("--org <slug>", "organization to add them to")
  .requiredOption("--role <role>", "their role in the organization")
  .option("--name <name>", "display name")
  .option("--password-stdin", "read the password from standard input (otherwise a one-time set-password link is printed)")
  .action((opts: { email: string; org: string; role: string; name?: string; passwordStdin?: boolean }) =>
    withRuntime(async () => {
      const { createUserFromCli } = await import("./commands");
      const password = opts.passwordStdin ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : undefined;
      const result = await createUserFromCli({ ...opts, password, actorLabel: cliActorLabel() });
      console.log(`Created ${result.email} (${result.role} in ${opts.org}).`);
      if (result.passwordToken) console.log(`One-time set-password link (shown once): /set-password?token=${result.passwordToken}`);
    }),
  );

const org = program.command("org").description("manage organizations");
org
  .command("create")
  .description("create an organization with a first project, owned by an existing or a new account")
  .requiredOption("--name <name>", "organization name")
  .requiredOption("--slug <slug>", "organization slug (lowercase letters, digits, dashes)")
  .requiredOption("--owner <email>", "the owner's email; a new account gets a one-time set-password link")
  .option("--project-name <name>", "first project's name", "Default")
  .option("--project-slug <slug>", "first project's slug", "default")
  .action((opts: { name: string; slug: string; owner: string; projectName: string; projectSlug: string }) =>
    withRuntime(async () => {
      const { createOrgFromCli } = await import("./commands");
      const result = await createOrgFromCli({ ...opts, actorLabel: cliActorLabel() });
      console.log(`Created organization ${result.name} (${result.slug}) with project ${result.projectSlug}, owned by ${result.owner}.`);
      if (result.passwordToken) console.log(`One-time set-password link for ${result.owner} (shown once): /set-password?token=${result.passwordToken}`);
    }),
  );

const apikey = program.command("apikey").description("manage project API keys");
apikey
  .command("create")
  .description("create a project API key; prints its public id and secret once")
  .requiredOption("--project <slug>", "project slug")
  .requiredOption("--scopes <scopes>", "comma-separated scopes")
  .option("--org <slug>", "organization (needed when several have a project with this slug)")
  .option("--name <label>", "a name to recognise the key by", "CLI key")
  .action((opts: { project: string; scopes: string; org?: string; name: string }) =>
    withRuntime(async () => {
      const { createApiKeyFromCli } = await import("./commands");
      const key = await createApiKeyFromCli({ ...opts, actorLabel: cliActorLabel() });
      console.log(`public id: ${key.publicKey}`);
      console.log(`secret:    ${key.secret}`);
      console.log(`scopes:    ${key.scopes.join(",")}`);
      console.log("Store the secret now: it is not shown again.");
    }),
  );

const audit = program.command("audit").description("audit log tools");
audit
  .command("verify")
  .description("re-compute the audit hash chain and name the first broken event")
  .option("--org <slug>", "one organization (default: all)")
  .option("--checkpoints <file>", "also compare with checkpoints held outside the database (the KEEL_AUDIT_CHECKPOINT_SINK file)")
  .action((opts: { org?: string; checkpoints?: string }) =>
    withRuntime(async () => {
      const { verifyChainsFromCli } = await import("./commands");
      const results = await verifyChainsFromCli(opts.org);
      let broken = false;
      if (opts.checkpoints) {
        const { compareWithCheckpoints } = await import("../domain/audit/checkpoints");
        const lines = readFileSync(opts.checkpoints, "utf8").split("\n");
        for (const c of await compareWithCheckpoints(lines)) {
          if (opts.org && c.orgSlug !== opts.org) continue;
          console.log(`${c.orgSlug}: ${c.ok ? "checkpoint OK" : "CHECKPOINT MISMATCH"}: ${c.message}`);
          if (!c.ok) broken = true;
        }
      }
      for (const r of results) {
        if (r.ok) console.log(`${r.slug}: OK, ${r.eventCount} events, last #${r.lastSeq}, head ${r.lastHash.slice(0, 16)}…`);
        else {
          broken = true;
          console.log(`${r.slug}: BROKEN at #${r.firstBrokenSeq}: ${r.reason}`);
        }
      }
      if (broken) process.exitCode = 3;
    }),
  );

audit
  .command("checkpoint")
  .description("sign a checkpoint of each organization's chain head now (pushed to KEEL_AUDIT_CHECKPOINT_SINK or --sink)")
  .option("--org <slug>", "one organization (default: all)")
  .option("--sink <file-or-url>", "append to this file / POST to this URL instead of KEEL_AUDIT_CHECKPOINT_SINK")
  .action((opts: { org?: string; sink?: string }) =>
    withRuntime(async () => {
      const { createCheckpoint, checkpointAll } = await import("../domain/audit/checkpoints");
      const { getDb } = await import("../db/client");
      const options = { sink: opts.sink ?? setting("KEEL_AUDIT_CHECKPOINT_SINK") ?? null, actorLabel: cliActorLabel() };
      let made;
      if (opts.org) {
        const org = await getDb().organization.findUnique({ where: { slug: opts.org }, select: { id: true } });
        if (!org) fail(`No organization "${opts.org}"`);
        const one = await createCheckpoint(org.id, options);
        made = one ? [one] : [];
      } else made = await checkpointAll(options);
      if (!made.length) console.log("Nothing new since the last checkpoints.");
      for (const c of made)
        console.log(
          `${c.orgSlug}: checkpoint at event ${c.seq} (${c.hash.slice(0, 16)}…)${c.sink ? ` → ${c.sink}${c.sinkError ? ` FAILED: ${c.sinkError}` : ""}` : ""}`,
        );
    }),
  );
audit
  .command("export")
  .description("export an organization's audit events as a file and its signed manifest (<file>.manifest.json)")
  .requiredOption("--org <slug>", "the organization")
  .requiredOption("--out <file>", "where to write the export")
  .option("--format <format>", "jsonl or csv", "jsonl")
  .option("--from <time>", "events at or after this ISO 8601 time")
  .option("--to <time>", "events before this ISO 8601 time")
  .option("--action <action>", "one action (deployment.deployed) or a group (group:deployments)")
  .option("--actor <text>", "actors whose email or key id starts with this")
  .option("--target-type <type>", "events about one kind of target")
  .option("--target-id <id>", "events about one target")
  .option("--project <slug>", "events of one project")
  .option("--q <words>", "words in the before/after snapshots")
  .action(
    (opts: {
      org: string;
      out: string;
      format: string;
      from?: string;
      to?: string;
      action?: string;
      actor?: string;
      targetType?: string;
      targetId?: string;
      project?: string;
      q?: string;
    }) =>
      withRuntime(async () => {
        const { exportAuditFromCli } = await import("./audit-export");
        const result = await exportAuditFromCli({ ...opts, actorLabel: cliActorLabel() });
        console.log(`${result.rowCount} events written to ${opts.out} (${result.bytes} bytes, SHA-256 ${result.sha256})`);
        console.log(`manifest: ${result.manifestPath} (signed with key ${result.publicKeyId})`);
      }),
  );
audit
  .command("verify-export")
  .description("check an audit export offline: the manifest's signature, the file's hash and, for a contiguous export, the hash chain")
  .argument("<file>", "the exported file")
  .argument("<manifest>", "its manifest (.manifest.json)")
  .requiredOption("--public-key <key>", "the organization's public key: a PEM file, PEM text or base64 DER")
  .action(async (file: string, manifestPath: string, opts: { publicKey: string }) => {
    const { verifyExportFromCli } = await import("./audit-export");
    const { report } = await import("../audit/verifier/keel-verify.mjs");
    const code = report(verifyExportFromCli(file, manifestPath, opts.publicKey));
    if (code) process.exitCode = code;
  });

const keys = program.command("keys").description("encryption keys for secrets stored at rest");
keys
  .command("rotate")
  .description("re-encrypt every stored secret with the current KEEL_ENCRYPTION_KEY (old keys in KEEL_ENCRYPTION_PREVIOUS_KEYS)")
  .action(() =>
    withRuntime(async () => {
      const { rotateEncryptionKeys } = await import("../crypto/rotate");
      const result = await rotateEncryptionKeys(undefined, { actorLabel: cliActorLabel() });
      for (const [table, counts] of Object.entries(result.tables)) {
        console.log(`${table}: ${counts.rotated} re-encrypted, ${counts.alreadyCurrent} already under key ${result.keyId}`);
      }
    }),
  );

// The roles `npm start` runs as processes of its own (server/runtime/roles/), one per command, so
// an operator can run and scale each on its own against DATABASE_URL. Under `npm start`
// (KEEL_ROLE_SUPERVISED) the supervisor has migrated, and when it goes away (even killed) the
// role stops rather than run on as an orphan.
async function runRole(run: (options: { supervised: boolean }) => Promise<void>) {
  await run({ supervised: setting(SUPERVISED_ENV) });
  // Whatever a library left scheduled does not keep a stopped role alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
}

program
  .command("web")
  .description("run a web process (pages, API, gateway) on PORT until stopped; any number may run behind a load balancer")
  .option("--dev", "Next.js in development mode (what `npm run dev` runs)")
  .action(async (opts: { dev?: boolean }) => {
    const { runWebRole } = await import("../runtime/roles/web");
    await runRole((o) => runWebRole({ ...o, dev: opts.dev === true }));
  });

program
  .command("worker")
  .description("run an evaluation worker (jobs from the database's queue, upkeep loops) until stopped; any number may run")
  .action(async () => {
    const { runWorkerRole } = await import("../runtime/roles/worker");
    await runRole(runWorkerRole);
  });

program
  .command("ingest")
  .description("run an ingest process (OTLP and Langfuse ingestion) on KEEL_INGEST_PORT until stopped; any number may run")
  .action(async () => {
    const { runIngestRole } = await import("../runtime/roles/ingest");
    await runRole(runIngestRole);
  });

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command("eval")
  .description("start an evaluation run on a running Keel (KEEL_URL, KEEL_API_KEY) and gate on its results")
  .requiredOption("--prompt <name>", "prompt name")
  .option("--version <n|label>", "prompt version number or label (default: latest)")
  .requiredOption("--dataset <name>", "dataset name")
  .option("--dataset-version <n>", "pin the dataset version (default: latest)")
  .option("--tag <tag>", "only the items with this tag (split)")
  .option("--evaluator <name>", "an evaluator to score with (repeatable)", collect, [])
  .option("--fail-under <evaluator=min>", "exit 1 when the evaluator's pass rate is below min (0.9 or 90%; repeatable)", collect, [])
  .option("--concurrency <n>", "calls in flight")
  .option("--repetitions <n>", "run each item n times")
  .option("--timeout <seconds>", "give up waiting after this long", "1800")
  .option("--url <url>", "Keel's address (default: KEEL_URL or http://localhost:3000)")
  .action(
    async (opts: {
      prompt: string;
      version?: string;
      dataset: string;
      datasetVersion?: string;
      tag?: string;
      evaluator: string[];
      failUnder: string[];
      concurrency?: string;
      repetitions?: string;
      timeout: string;
      url?: string;
    }) => {
      const { runEval, parseThreshold, EvalExit } = await import("./eval");
      const apiKey = setting("KEEL_API_KEY");
      try {
        if (!apiKey) throw new EvalExit(2, "Set KEEL_API_KEY to a project API key with the evaluations:write scope");
        const thresholds = opts.failUnder.map(parseThreshold);
        const evaluators = [...new Set([...opts.evaluator, ...thresholds.map((t) => t.evaluator)])];
        process.exitCode = await runEval({
          url: opts.url ?? setting("KEEL_URL") ?? "http://localhost:3000",
          apiKey,
          prompt: opts.prompt,
          version: opts.version,
          dataset: opts.dataset,
          datasetVersion: opts.datasetVersion ? Number(opts.datasetVersion) : undefined,
          tag: opts.tag,
          evaluators,
          failUnder: thresholds,
          concurrency: opts.concurrency ? Number(opts.concurrency) : undefined,
          repetitions: opts.repetitions ? Number(opts.repetitions) : undefined,
          timeoutSeconds: Number(opts.timeout),
          pollMs: 1_000,
          out: (line) => console.log(line),
        });
      } catch (error) {
        if (error instanceof EvalExit) {
          console.error(`keel eval: ${error.message}`);
          process.exitCode = error.code;
          return;
        }
        throw error;
      }
    },
  );

// Every command, even those that never start the database, refuses a malformed KEEL_* setting.
try {
  parseEnv();
} catch (error) {
  console.error(`keel: ${(error as Error).message}`);
  process.exit(1);
}

program.parseAsync(process.argv).catch(async (error: unknown) => {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) process.exit(0);
    if (error.code === "keel.error") console.error(`keel: ${error.message}`);
    process.exit(error.exitCode || 1);
  }
  const message =
    error instanceof z.ZodError
      ? error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`keel: ${message.split("\n")[0]}`);
  await runtime?.stop().catch(() => {});
  process.exit(1);
});
