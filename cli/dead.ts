/**
 * `sluice dead list | redrive`: a provider day's dead records, each with the
 * payload it was enqueued with and its last reason, and a second chance for
 * them once their cause is fixed (a rotated credential, a provider bug).
 *
 * redrive, per record:
 *   1. the ledger entry goes from dead back to failed with no attempts spent
 *      (to landing, when it keeps a fetched body: it lands without a fetch);
 *   2. the record (id, payload, ad-hoc mark) is put back on the stream;
 *   3. a record that could not be put back is marked dead again, with why.
 * Then one audit entry records who redrove how many, why and when, like
 * pause and resume. Malformed records are listed but never redriven: they
 * would be malformed again.
 */
import type { Command } from "commander";
import { realSleep } from "../runtime/backoff";
import { putRecordsReliably } from "../runtime/aws/stream-writer";
import type { LedgerEntry } from "../runtime/ledger/types";
import { malformedKey } from "../runtime/ventilator/batch";
import { encodeStreamRecord, type StreamRecord } from "../runtime/ventilator/records";
import { providerDay } from "../runtime/windows/clock";
import { CliInputError, NotDeployedError } from "./errors";
import { EXIT_FAILURE, EXIT_OK } from "./output";
import { AwsClients, PipelineAccess, callFailure } from "./pipeline-access";
import { describeSource, locate } from "./resources";
import { addTargetOptions, operatorName, requireProvider, resolveTarget, TARGET_HELP, type TargetOptions } from "./target";
import { localAndUtc } from "./time-text";

interface DeadOptions extends TargetOptions {
  provider: string;
  day?: string;
  json?: boolean;
}

interface RedriveOptions extends DeadOptions {
  ids?: string;
  reason?: string;
  by?: string;
  dryRun?: boolean;
}

/** The audit action a redrive is recorded under. */
export const REDRIVE_ACTION = "redrive";

const MALFORMED_PREFIX = malformedKey("");
/** Characters of a payload shown per line in the table. */
const PAYLOAD_SHOWN = 60;

export function registerDead(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  const dead = program.command("dead").description("a provider day's dead records: list them with their payload and reason, redrive them once the cause is fixed");
  const common = (cmd: Command) =>
    addTargetOptions(
      cmd
        .requiredOption("-p, --provider <id>", "provider whose dead records to read")
        .option("-d, --day <YYYY-MM-DD>", "the provider day (in the provider's time zone; default: today there)"),
    );

  const list = common(dead.command("list").description("list a provider day's dead records with their payload and last reason")).option("--json", "print them as JSON");
  list.addHelpText(
    "after",
    `
Every record that ended dead (a permanent failure, its attempts spent, a malformed record, a fetch
whose body could neither land nor be kept) keeps the payload it was enqueued with and its last
reason. Exit status: 0 (also when there are none); 1 when the ledger cannot be read.
${TARGET_HELP}

Example:
  sluice dead list -p meridian-funds --day 2026-11-30`,
  );
  list.action((opts: DeadOptions) => run(() => listDead(list, opts)));

  const redrive = common(dead.command("redrive").description("give a provider day's dead records a fresh set of attempts and put them back on the stream"))
    .option("--ids <a,b,…>", "only these record ids (default: every dead record of the day)")
    .option("-r, --reason <text>", "why, kept in the ledger's audit (and shown by status)")
    .option("--by <name>", "who, kept in the audit (default: your OS user name)")
    .option("--dry-run", "say what would be redriven, change nothing")
    .option("--json", "print the outcome as JSON");
  redrive.addHelpText(
    "after",
    `
Fix the cause first (a credential, the provider's side): a redriven record is fetched again, once,
with the provider's full maxAttempts. A record that keeps a fetched body whose landing failed is
landed without a second fetch. Records of an earlier day are fetched under today's provider day.
Malformed records are never redriven. The redrive is recorded in the ledger's audit (who, why,
when, how many), like pause and resume.
Exit status: 0 when every chosen record went back on the stream; 1 otherwise (the ones that could
not be sent stay dead, with why).
${TARGET_HELP}

Example:
  sluice dead redrive -p meridian-funds --reason "rotated the API key (INC-4712)"`,
  );
  redrive.action((opts: RedriveOptions) => run(() => redriveDead(redrive, opts)));
}

interface Opened {
  access: PipelineAccess;
  clients: AwsClients;
  day: string;
  where: string;
}

async function open(cmd: Command, opts: DeadOptions): Promise<Opened> {
  const target = await resolveTarget(cmd, opts);
  const provider = requireProvider(target.catalog, opts.provider, opts.catalog);
  const day = opts.day ?? providerDay(provider.timezone, Date.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new CliInputError([`--day ${JSON.stringify(day)} is not a day: expected YYYY-MM-DD`]);
  const where = describeSource(target.source);
  const resources = locate(target.source, provider.id);
  if (!resources) throw new NotDeployedError(provider.id, where, [`providers.${provider.id}`]);
  const clients = new AwsClients();
  return { access: new PipelineAccess(provider, resources, where, clients), clients, day, where };
}

function shown(entry: LedgerEntry): string {
  if (entry.payload === undefined) return entry.bodyKept ? "(no payload; a fetched body waits to land)" : "(no payload)";
  const text = typeof entry.payload === "string" && entry.recordId.startsWith(MALFORMED_PREFIX) ? `data (base64) ${entry.payload}` : JSON.stringify(entry.payload);
  return text.length > PAYLOAD_SHOWN ? `${text.slice(0, PAYLOAD_SHOWN - 1)}…` : text;
}

function asJson(entry: LedgerEntry) {
  return {
    id: entry.recordId,
    attempts: entry.attempts,
    reason: entry.lastError,
    payload: entry.payload ?? null,
    adHoc: entry.adHoc,
    bodyKept: entry.bodyKept,
    malformed: entry.recordId.startsWith(MALFORMED_PREFIX),
    at: new Date(entry.updatedAt).toISOString(),
  };
}

async function listDead(cmd: Command, opts: DeadOptions): Promise<number> {
  const { access, clients, day } = await open(cmd, opts);
  try {
    const provider = access.provider;
    const dead = await access.ledgerCall(`reading the dead records of ${day}`, (l) => l.listDead(day));
    dead.sort((a, b) => a.updatedAt - b.updatedAt || a.recordId.localeCompare(b.recordId));
    if (opts.json) {
      process.stdout.write(JSON.stringify({ provider: provider.id, day, dead: dead.map(asJson) }, null, 2) + "\n");
      return EXIT_OK;
    }
    const lines = [`${provider.id}: ${dead.length === 0 ? "no" : dead.length} dead record${dead.length === 1 ? "" : "s"} on ${day}`];
    const width = Math.max(0, ...dead.map((e) => e.recordId.length));
    for (const e of dead) {
      lines.push(`  ${e.recordId.padEnd(width)}  ${localAndUtc(provider.timezone, e.updatedAt)}  attempts ${e.attempts}  ${e.lastError ?? "(no reason)"}`);
      lines.push(`  ${" ".repeat(width)}  payload ${shown(e)}`);
    }
    if (dead.some((e) => !e.recordId.startsWith(MALFORMED_PREFIX))) lines.push(`redrive them once the cause is fixed: sluice dead redrive -p ${provider.id} --day ${day} --reason "…"`);
    process.stdout.write(lines.join("\n") + "\n");
    return EXIT_OK;
  } finally {
    clients.destroy();
  }
}

interface RedriveOutcome {
  sent: string[];
  skipped: { id: string; why: string }[];
  failed: { id: string; why: string }[];
}

async function redriveDead(cmd: Command, opts: RedriveOptions): Promise<number> {
  const by = operatorName(opts.by);
  const note = opts.reason?.trim() || undefined;
  const { access, clients, day, where } = await open(cmd, opts);
  try {
    const provider = access.provider;
    const dead = await access.ledgerCall(`reading the dead records of ${day}`, (l) => l.listDead(day));
    const wanted = opts.ids ? new Set(opts.ids.split(",").map((s) => s.trim()).filter(Boolean)) : null;
    if (wanted) {
      const unknown = [...wanted].filter((id) => !dead.some((e) => e.recordId === id));
      if (unknown.length > 0) throw new CliInputError(unknown.map((id) => `record "${id}" is not dead on ${day} for provider "${provider.id}"`));
    }
    const chosen = dead.filter((e) => wanted === null || wanted.has(e.recordId));
    const outcome: RedriveOutcome = { sent: [], skipped: [], failed: [] };
    const redrivable: LedgerEntry[] = [];
    for (const e of chosen) {
      if (e.recordId.startsWith(MALFORMED_PREFIX)) outcome.skipped.push({ id: e.recordId, why: "malformed: it would be malformed again" });
      else redrivable.push(e);
    }
    const now = Date.now();
    if (!opts.dryRun && redrivable.length > 0) {
      const reset: LedgerEntry[] = [];
      for (const e of redrivable) {
        try {
          reset.push(await access.ledgerCall(`redriving record ${e.recordId}`, (l) => l.redrive(e.recordId, day, now)));
        } catch (err) {
          outcome.failed.push({ id: e.recordId, why: err instanceof Error ? err.message : String(err) });
        }
      }
      const streamRecords: StreamRecord[] = reset.map((e) => ({
        id: e.recordId,
        ...(e.payload !== undefined ? { payload: e.payload } : {}),
        ...(e.adHoc ? { adHoc: true } : {}),
        // A kept body lands under its own day; anything else is fetched under today's.
        enqueuedAt: e.bodyKept ? e.createdAt : now,
      }));
      let failedIndexes = new Map<number, string>();
      try {
        const result = await putRecordsReliably(
          access.kinesis,
          access.resources.stream,
          streamRecords.map((r) => ({ data: encodeStreamRecord(r), partitionKey: r.id })),
          { sleep: realSleep },
        );
        failedIndexes = new Map(result.failed.map((f) => [f.index, f.reason]));
      } catch (err) {
        const why = callFailure("KINESIS", `PutRecords to stream ${access.resources.stream}`, err).message;
        failedIndexes = new Map(streamRecords.map((_, i) => [i, why]));
      }
      for (const [i, r] of streamRecords.entries()) {
        const why = failedIndexes.get(i);
        if (why === undefined) {
          outcome.sent.push(r.id);
          continue;
        }
        outcome.failed.push({ id: r.id, why: `could not be put back on the stream: ${why}` });
        const previous = reset[i]!.lastError ?? "no reason";
        await access
          .ledgerCall(`marking record ${r.id} dead again`, (l) => l.markDead(r.id, day, Date.now(), `redrive could not re-send it (${why}); before: ${previous}`, { payload: r.payload }))
          .catch(() => undefined);
      }
      if (outcome.sent.length > 0) {
        const reason = `${outcome.sent.length} dead record(s) of ${day}${note ? `: ${note}` : ""}`;
        await access.ledgerCall("recording the operator action", (l) => l.recordOperatorAction({ action: REDRIVE_ACTION, by, reason, at: now }));
      }
    }

    if (opts.json) {
      process.stdout.write(JSON.stringify({ provider: provider.id, day, dryRun: opts.dryRun === true, ...outcome, wouldSend: opts.dryRun ? redrivable.map((e) => e.recordId) : [] }, null, 2) + "\n");
    } else {
      const lines: string[] = [];
      if (opts.dryRun) lines.push(`${provider.id}: dry run: ${redrivable.length} of ${dead.length} dead records of ${day} would be redriven; nothing changed`);
      else lines.push(`${provider.id}: redriven ${outcome.sent.length} of ${dead.length} dead records of ${day} in ${where}, by ${by}${note ? `: ${note}` : ""}`);
      if (opts.dryRun && redrivable.length > 0) lines.push(`  would send  ${redrivable.map((e) => e.recordId).join(", ")}`);
      if (outcome.sent.length > 0) lines.push(`  sent        ${outcome.sent.join(", ")} (back on stream ${access.resources.stream})`);
      for (const s of outcome.skipped) lines.push(`  skipped     ${s.id}: ${s.why}`);
      for (const f of outcome.failed) lines.push(`  failed      ${f.id}: ${f.why}`);
      if (outcome.sent.length > 0) lines.push(`  recorded    ${REDRIVE_ACTION} by ${by} at ${localAndUtc(provider.timezone, now)} in the ledger's audit`);
      process.stdout.write(lines.join("\n") + "\n");
    }
    return outcome.failed.length > 0 ? EXIT_FAILURE : EXIT_OK;
  } finally {
    clients.destroy();
  }
}
