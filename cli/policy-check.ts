/**
 * `sluice policy-check`: what `pulumi preview --policy-pack policies` would
 * say about a catalog, without the Pulumi CLI or AWS. The real program runs
 * under Pulumi's mocks and the pack's policies judge what it registers
 * (policies/offline). Exit 0: no mandatory violation (advisories are printed);
 * 2: a mandatory violation, the deploy would be refused; 1: bad input (an
 * invalid catalog prints the catalog's own lines, as `sluice validate` does).
 *
 * The stack: the program runs with the settings of Pulumi.<stack>.yaml when
 * the file exists, then `--config key=value` on top, as `pulumi preview
 * --stack` would; --catalog (or the stack's sluice:catalog) names the catalog.
 *
 * A deployed stack: with `--state FILE` (`pulumi stack export` JSON) every
 * property a resource marks ignoreChanges takes the state's value, as the
 * engine does; after `pulumi refresh` those are the live values (the
 * mapping batch size the controller chose, the enabled flag the breaker left).
 *
 * The clock: maintenance windows and closed periods are judged at --at when
 * given, else at SLUICE_POLICY_NOW, else now — like a real deploy. CI passes a
 * fixed --at so a run that happens to fall in a provider's maintenance window
 * still passes; `pulumi up` at that moment is still refused, since the pack
 * reads the wall clock there.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { readStackConfig, stackConfigFile } from "../components/stack-config";
import { loadCatalog, DEFAULT_CATALOG } from "../runtime/catalog/load";
import { enabledProviders } from "../runtime/catalog/provider";
import { CliInputError } from "./errors";
import { EXIT_OK } from "./output";
import type * as Analyze from "../policies/offline/analyze";
import type * as CheckProgram from "../policies/offline/check-program";
import type * as Clock from "../policies/clock";
import type * as MaintenanceWindow from "../policies/maintenance-window";
import type * as PackUnderTest from "../policies/offline/pack-under-test";
import type * as Report from "../policies/offline/report";
import type * as State from "../policies/offline/state";

/** Exit code of a check that found a mandatory violation. */
export const EXIT_POLICY_VIOLATION = 2;
export const DEFAULT_POLICY_STACK = "dev";
const PACK_PATH = "policies";
/** Changed values named in the header; the rest are counted. */
const NAMED_STATE_VALUES = 4;

export interface PolicyCheckOptions {
  /** @default the stack's sluice:catalog, else providers.json */
  catalog?: string;
  stack: string;
  at?: string;
  policyPackConfig?: string;
  state?: string;
  config?: string[];
}

// Loaded on use: the program under mocks pulls in @pulumi/pulumi and @pulumi/aws,
// which every other sluice command would otherwise pay for at start-up.
const lazy = {
  analyze: () => require("../policies/offline/analyze") as typeof Analyze,
  check: () => require("../policies/offline/check-program") as typeof CheckProgram,
  clock: () => require("../policies/clock") as typeof Clock,
  maintenance: () => require("../policies/maintenance-window") as typeof MaintenanceWindow,
  pack: () => require("../policies/offline/pack-under-test") as typeof PackUnderTest,
  report: () => require("../policies/offline/report") as typeof Report,
  state: () => require("../policies/offline/state") as typeof State,
};

function readJsonFile(file: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliInputError([`cannot read ${flag} ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliInputError([`${flag} ${file}: not JSON (${(err as Error).message})`]);
  }
}

/** Pulumi.<stack>.yaml when it exists, then each `--config key=value`. */
function stackConfig(stack: string, pairs: readonly string[]): Record<string, string> {
  const file = stackConfigFile(stack);
  const values = existsSync(file) ? readStackConfig(file) : {};
  const problems: string[] = [];
  for (const pair of pairs) {
    const m = /^([A-Za-z0-9_-]+:[A-Za-z0-9_.-]+)=(.*)$/s.exec(pair);
    if (m) values[m[1]!] = m[2]!;
    else problems.push(`--config ${JSON.stringify(pair)} is not namespace:key=value, e.g. sluice:accountConcurrencyLimit=3000`);
  }
  if (problems.length > 0) throw new CliInputError(problems);
  return values;
}

export async function policyCheck(opts: PolicyCheckOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = stackConfig(opts.stack, opts.config ?? []);
  const catalogPath = opts.catalog ?? config["sluice:catalog"] ?? DEFAULT_CATALOG;
  const catalog = loadCatalog(catalogPath);
  const { MAINTENANCE_WINDOW } = lazy.maintenance();
  const clocks = lazy.clock();
  const clock = opts.at !== undefined ? clocks.fixedClock(clocks.parseInstant(opts.at, "--at"), "--at") : clocks.defaultPolicyClock();

  let packConfig: Analyze.NormalizedPackConfig = {};
  if (opts.policyPackConfig !== undefined) {
    packConfig = lazy.analyze().normalizePackConfig(lazy.pack().sluicePack(clock), readJsonFile(opts.policyPackConfig, "--policy-pack-config"), opts.policyPackConfig);
    if (opts.at !== undefined && packConfig[MAINTENANCE_WINDOW]?.properties.now !== undefined) {
      throw new CliInputError([`give either --at or ${MAINTENANCE_WINDOW}.now in ${opts.policyPackConfig}, not both`]);
    }
  }
  const state = opts.state !== undefined ? lazy.state().parseStackExport(readJsonFile(opts.state, "--state"), path.basename(opts.state)) : undefined;
  let refreshed: State.RefreshedRegistrations | undefined;

  const check = await lazy.check().checkProgram({
    catalogPath,
    stackConfig: config,
    stack: opts.stack,
    clock,
    config: packConfig,
    ...(state ? { transform: (registrations) => (refreshed = lazy.state().withStateValues(registrations, state)).registrations } : {}),
  });
  const { formatPolicyReport, countByLevel } = lazy.report();
  const judgedAt = clock();
  const windowsAt = packConfig[MAINTENANCE_WINDOW]?.properties.now;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  out.write(
    `sluice policy-check: ${catalogPath} (${count(catalog.providers.length, "provider")}, ${enabledProviders(catalog).length} enabled) as stack "${opts.stack}": ` +
      `${count(check.pipelines.length, "pipeline")}, ${count(check.registrations.length, "resource")}; ` +
      `windows judged at ${typeof windowsAt === "string" ? `${windowsAt} (policy config now)` : `${clocks.isoInstant(judgedAt.at)} (${judgedAt.source})`}\n`,
  );
  if (refreshed && opts.state !== undefined) out.write(stateLine(opts.state, refreshed, check.run.engine));
  out.write("\n");
  out.write(formatPolicyReport(check.pack.name, check.pack.version, check.analysis.diagnostics, { project: "sluice", stack: opts.stack, packPath: PACK_PATH }));
  const counts = countByLevel(check.analysis.diagnostics);
  const verdict = counts.mandatory > 0 ? "the deploy would be refused" : "the deploy would pass";
  out.write(`\n${counts.mandatory} mandatory, ${count(counts.advisory, "advisory violation")}: ${verdict}\n`);
  return counts.mandatory > 0 ? EXIT_POLICY_VIOLATION : EXIT_OK;
}

/** "state refreshed.json: 72 of 72 resources deployed; 5 ignoreChanges properties take the state's values, changed: meridian-funds-mapping batchSize 4000, …" */
function stateLine(file: string, refreshed: State.RefreshedRegistrations, program: readonly { urn: string; inputs: Record<string, unknown> }[]): string {
  const programValue = new Map(program.map((r) => [r.urn, r.inputs]));
  const changed = refreshed.carried.filter((c) => JSON.stringify(programValue.get(c.urn)?.[c.path]) !== JSON.stringify(c.value));
  const named = changed.slice(0, NAMED_STATE_VALUES).map((c) => `${c.urn.split("::").at(-1)} ${c.path} ${JSON.stringify(c.value)}`);
  const more = changed.length > NAMED_STATE_VALUES ? ` and ${changed.length - NAMED_STATE_VALUES} more` : "";
  return (
    `state ${file}: ${refreshed.matched} of ${refreshed.registrations.length} resources deployed; ` +
    `${refreshed.carried.length} ignoreChanges properties take the state's values${named.length > 0 ? `, changed: ${named.join(", ")}${more}` : ", none changed"}\n`
  );
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerPolicyCheck(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("policy-check")
    .description(`run the Pulumi program under mocks and judge what it registers with the policy pack (${PACK_PATH}/); exit 2 on a mandatory violation`)
    .option("-c, --catalog <file>", `catalog file (default: the stack's sluice:catalog, else ${DEFAULT_CATALOG})`)
    .option("--stack <name>", "stack whose settings (Pulumi.<name>.yaml, when it exists) the program runs with and whose resources are named", DEFAULT_POLICY_STACK)
    .option("--config <key=value>", "a stack setting on top of the stack's file, e.g. sluice:accountConcurrencyLimit=3000 (repeatable)", collect)
    .option("--state <file>", "`pulumi stack export` JSON of the deployed stack: properties in ignoreChanges take its values, as on `pulumi up --refresh`")
    .option("--at <iso-time>", "judge maintenance windows and closed periods at this instant (e.g. 2026-01-06T12:00:00Z) instead of now")
    .option("--policy-pack-config <file>", "policy configuration, as for pulumi preview --policy-pack-config")
    .action((opts: PolicyCheckOptions) => run(() => policyCheck(opts)));
}
