/**
 * `sluice enqueue`: record ids (or JSON lines with payloads) into a provider's
 * stream. The whole input is read and checked first — one bad line refuses the
 * file before anything is sent — then PutRecords in batches of 500 records /
 * 5 MiB with retries of throttles and partial failures (putRecordsReliably).
 * Exit 1 when any record could not be sent; those are listed with their
 * reasons and can be written to a file to send again.
 */
import { Option, type Command } from "commander";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realSleep } from "../runtime/backoff";
import { putRecordsReliably, type PutRecordsReport } from "../runtime/aws/stream-writer";
import { encodeStreamRecord, type StreamRecord } from "../runtime/ventilator/records";
import { CliInputError, NotDeployedError } from "./errors";
import { EXIT_FAILURE, EXIT_OK } from "./output";
import { AwsClients, PipelineAccess, callFailure } from "./pipeline-access";
import { startProgress } from "./progress";
import { parseRecordLines, type LineProblem, type ParsedLines } from "./record-lines";
import { describeSource, locate } from "./resources";
import { addTargetOptions, readInput, requireProvider, resolveTarget, TARGET_HELP, type TargetOptions } from "./target";

interface EnqueueOptions extends TargetOptions {
  provider: string;
  file?: string;
  adHoc?: boolean;
  dryRun?: boolean;
  failedTo?: string;
  json?: boolean;
  progress: boolean;
}

/** Problems listed before "… and N more": enough to see the pattern, short enough to read. */
const MAX_PROBLEMS_SHOWN = 20;
/** A bar only when there is more than one PutRecords call to wait for. */
const PROGRESS_MIN_RECORDS = 1_000;

export function registerEnqueue(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  const cmd = program
    .command("enqueue")
    .description("put record ids into a provider's stream (one id per line, or JSON lines {\"id\": …, \"payload\": …})")
    .requiredOption("-p, --provider <id>", "provider whose stream receives the records")
    .option("-f, --file <file>", "input file (default: stdin)")
    .option("--ad-hoc", "mark the records as requested by a person, not the scheduler (status counts them apart)")
    .option("--dry-run", "check the input and the stream, send nothing")
    .option("--failed-to <file>", "where to write records that could not be sent, ready to enqueue again (default: sluice-unsent-<provider>-<time>.jsonl in the current directory)")
    .option("--json", "print the summary as JSON")
    .addOption(new Option("--no-progress", "no progress bar (it is shown only on a terminal, for 1000+ records)"));
  addTargetOptions(cmd).addHelpText(
    "after",
    `
Input: one record per line. A line is a bare id, or a JSON object with "id" (a string) and an
optional "payload". Blank lines are skipped; an id repeated in the input is sent once (the first
line wins) and counted as a duplicate. The whole input is checked before anything is sent: if any
line is malformed, every problem is listed with its line number and NOTHING is sent (exit 1), so
a scheduler can fix the file and re-run it without sending half of it twice.

Exit status: 0 when every record landed in the stream; 1 when the input was refused or any record
could not be sent after retries. Records not sent are listed with their reasons and written to a
file (--failed-to, else ./sluice-unsent-<provider>-<time>.jsonl, else the same in the temporary
directory) that enqueue reads as is. Sending a record twice is harmless: the ledger fetches a
record at most once per provider day.
${TARGET_HELP}

Examples:
  sluice enqueue -p meridian-funds -f ids.txt
  cat requests.jsonl | sluice enqueue -p demo --ad-hoc
  sluice enqueue -p demo -f ids.txt --stack prod --failed-to retry.jsonl`,
  );
  cmd.action((opts: EnqueueOptions) => run(() => enqueue(cmd, opts)));
}

async function enqueue(cmd: Command, opts: EnqueueOptions): Promise<number> {
  if (opts.file === undefined && opts.outputs === "-") throw new CliInputError(["--outputs - and records on stdin cannot both read stdin: pass the records with --file"]);
  const target = await resolveTarget(cmd, opts);
  const provider = requireProvider(target.catalog, opts.provider, opts.catalog);
  const sourceName = opts.file ?? "stdin";
  const text = await readInput(opts.file ?? "-", "records from");
  const parsed = parseRecordLines(text, { adHoc: opts.adHoc === true, now: Date.now() });
  if (parsed.problems.length > 0) throw new CliInputError(problemLines(sourceName, parsed.problems));

  const where = describeSource(target.source);
  const resources = locate(target.source, provider.id);
  if (!resources) throw new NotDeployedError(provider.id, where, [`providers.${provider.id}`]);
  if (parsed.records.length === 0) {
    report(opts, { provider: provider.id, stream: resources.stream, source: sourceName, parsed, sent: null });
    return EXIT_OK;
  }

  const clients = new AwsClients();
  try {
    const access = new PipelineAccess(provider, resources, where, clients);
    await access.describeStream();
    if (!provider.enabled) {
      process.stderr.write(`note: provider "${provider.id}" is disabled in the catalog: the records wait in the stream (retention ${provider.streamRetentionHours} h) until it is enabled\n`);
    }
    if (opts.dryRun) {
      report(opts, { provider: provider.id, stream: resources.stream, source: sourceName, parsed, sent: null });
      return EXIT_OK;
    }
    const progress = startProgress({ unit: "records", label: "enqueue", total: parsed.records.length, minTotal: PROGRESS_MIN_RECORDS, enabled: opts.progress });
    let result: PutRecordsReport;
    try {
      result = await putRecordsReliably(
        access.kinesis,
        resources.stream,
        parsed.records.map((r) => ({ data: encodeStreamRecord(r), partitionKey: r.id })),
        { sleep: realSleep, onProgress: (sent) => progress.update(sent) },
      );
    } catch (err) {
      // putRecordsReliably reports call failures per record; a throw here is a bug or a client misconfiguration.
      throw callFailure("KINESIS", `PutRecords to stream ${resources.stream}`, err);
    } finally {
      progress.stop();
    }
    report(opts, { provider: provider.id, stream: resources.stream, source: sourceName, parsed, sent: result });
    if (result.failed.length === 0) return EXIT_OK;
    const unsent = result.failed.map((f) => retryLine(parsed.records[f.index]!) + "\n").join("");
    const saved = await saveUnsent(unsent, opts.failedTo, provider.id);
    process.stderr.write(
      `${result.failed.length} of ${parsed.records.length} records could not be sent to stream ${resources.stream}; ` +
        (saved.path ? `they are in ${saved.path}: sluice enqueue -p ${provider.id} -f ${saved.path} (re-sending is safe: the ledger fetches a record once per provider day)` : `they could not be written to a file (${saved.problems.join("; ")}), here they are:`) +
        "\n",
    );
    if (!saved.path) process.stderr.write(unsent);
    return EXIT_FAILURE;
  } finally {
    clients.destroy();
  }
}

function problemLines(source: string, problems: readonly LineProblem[]): string[] {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => `${source}:${p.line}: ${p.message}`);
  const more = problems.length - shown.length;
  return [...shown, ...(more > 0 ? [`${source}: … and ${more} more problem line(s)`] : []), `${source}: ${problems.length} bad line(s); nothing was sent`];
}

/**
 * Records that were not sent must not be lost with the terminal's scrollback:
 * they go to --failed-to, else to a file in the current directory, else in the
 * temporary directory; only when no file can be written are they printed.
 */
async function saveUnsent(lines: string, failedTo: string | undefined, providerId: string): Promise<{ path?: string; problems: string[] }> {
  const name = `sluice-unsent-${providerId}-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
  const candidates = failedTo ? [failedTo] : [join(process.cwd(), name), join(tmpdir(), name)];
  const problems: string[] = [];
  for (const path of candidates) {
    try {
      await writeFile(path, lines, { flag: failedTo ? "w" : "wx" });
      return { path, problems };
    } catch (err) {
      problems.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return { problems };
}

/** A record as a line `enqueue` reads back: the bare id when that says it all. */
function retryLine(record: StreamRecord): string {
  const bare = record.payload === undefined && !record.id.startsWith("{") && record.id.trim() === record.id;
  return bare ? record.id : JSON.stringify({ id: record.id, ...(record.payload !== undefined ? { payload: record.payload } : {}) });
}

interface Outcome {
  provider: string;
  stream: string;
  source: string;
  parsed: ParsedLines;
  /** null: nothing was sent (dry run, empty input). */
  sent: PutRecordsReport | null;
}

function report(opts: EnqueueOptions, o: Outcome): void {
  const { parsed, sent } = o;
  const failed = (sent?.failed ?? []).map((f) => ({ line: parsed.lines[f.index]!, id: parsed.records[f.index]!.id, reason: f.reason }));
  if (opts.json) {
    const summary = {
      provider: o.provider,
      stream: o.stream,
      input: o.source,
      adHoc: opts.adHoc === true,
      dryRun: opts.dryRun === true,
      records: parsed.records.length,
      duplicates: parsed.duplicates,
      conflictingDuplicates: parsed.conflictingDuplicates,
      blankLines: parsed.blankLines,
      sent: sent?.sent ?? 0,
      retried: sent?.retried ?? 0,
      failed,
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    return;
  }
  const kind = opts.adHoc ? "ad-hoc" : "scheduled";
  const lines: string[] = [];
  if (parsed.records.length === 0) lines.push(`${o.provider}: nothing to send: ${o.source} holds no record ids`);
  else if (sent === null) lines.push(`${o.provider}: dry run: ${parsed.records.length} ${kind} records would go to stream ${o.stream}; nothing was sent`);
  else lines.push(`${o.provider}: ${sent.sent} of ${parsed.records.length} ${kind} records sent to stream ${o.stream}`);
  const dup = parsed.duplicates === 0 ? "no duplicate ids" : `${parsed.duplicates} duplicate id(s) skipped` + (parsed.conflictingDuplicates > 0 ? ` (${parsed.conflictingDuplicates} with a payload different from the first line's, which was kept)` : "");
  lines.push(`  input     ${o.source}: ${parsed.records.length} records, ${dup}, ${parsed.blankLines} blank line(s)`);
  if (sent) {
    lines.push(`  retried   ${sent.retried} re-send(s) after throttles or partial failures`);
    lines.push(`  failed    ${failed.length === 0 ? "none" : `${failed.length} NOT sent`}`);
    for (const [reason, group] of groupBy(failed, (f) => f.reason)) {
      const sample = group.slice(0, 5).map((f) => `line ${f.line} (${f.id})`).join(", ");
      lines.push(`    ${group.length} × ${reason}: ${sample}${group.length > 5 ? `, … ${group.length - 5} more` : ""}`);
    }
  }
  process.stdout.write(lines.join("\n") + "\n");
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
