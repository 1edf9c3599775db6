/**
 * `sluice policy-check`: what `pulumi preview --policy-pack policies` would
 * say about a catalog, without the Pulumi CLI or AWS. The real program runs
 * under Pulumi's mocks and the pack's policies judge what it registers
 * (policies/offline). Exit 0: no mandatory violation (advisories are printed);
 * 2: a mandatory violation, the deploy would be refused; 1: bad input (an
 * invalid catalog prints the catalog's own lines, as `sluice validate` does).
 *
 * The clock: maintenance windows and closed periods are judged at --at when
 * given, else at SLUICE_POLICY_NOW, else now — like a real deploy. CI passes a
 * fixed --at so a run that happens to fall in a provider's maintenance window
 * still passes; `pulumi up` at that moment is still refused, since the pack
 * reads the wall clock there.
 */
import type { Command } from "commander";
import { readFileSync } from "node:fs";
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

/** Exit code of a check that found a mandatory violation. */
export const EXIT_POLICY_VIOLATION = 2;
export const DEFAULT_POLICY_STACK = "dev";
const PACK_PATH = "policies";

export interface PolicyCheckOptions {
  catalog: string;
  stack: string;
  at?: string;
  policyPackConfig?: string;
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
};

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliInputError([`cannot read --policy-pack-config ${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliInputError([`--policy-pack-config ${file}: not JSON (${(err as Error).message})`]);
  }
}

export async function policyCheck(opts: PolicyCheckOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const catalog = loadCatalog(opts.catalog);
  const { MAINTENANCE_WINDOW } = lazy.maintenance();
  const clocks = lazy.clock();
  const clock = opts.at !== undefined ? clocks.fixedClock(clocks.parseInstant(opts.at, "--at"), "--at") : clocks.defaultPolicyClock();

  let config: Analyze.NormalizedPackConfig = {};
  if (opts.policyPackConfig !== undefined) {
    config = lazy.analyze().normalizePackConfig(lazy.pack().sluicePack(clock), readConfigFile(opts.policyPackConfig), opts.policyPackConfig);
    if (opts.at !== undefined && config[MAINTENANCE_WINDOW]?.properties.now !== undefined) {
      throw new CliInputError([`give either --at or ${MAINTENANCE_WINDOW}.now in ${opts.policyPackConfig}, not both`]);
    }
  }

  const check = await lazy.check().checkProgram({ catalogPath: opts.catalog, stack: opts.stack, clock, config });
  const { formatPolicyReport, countByLevel } = lazy.report();
  const judgedAt = clock();
  const windowsAt = config[MAINTENANCE_WINDOW]?.properties.now;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  out.write(
    `sluice policy-check: ${opts.catalog} (${count(catalog.providers.length, "provider")}, ${enabledProviders(catalog).length} enabled) as stack "${opts.stack}": ` +
      `${count(check.pipelines.length, "pipeline")}, ${count(check.registrations.length, "resource")}; ` +
      `windows judged at ${typeof windowsAt === "string" ? `${windowsAt} (policy config now)` : `${clocks.isoInstant(judgedAt.at)} (${judgedAt.source})`}\n\n`,
  );
  out.write(formatPolicyReport(check.pack.name, check.pack.version, check.analysis.diagnostics, { project: "sluice", stack: opts.stack, packPath: PACK_PATH }));
  const counts = countByLevel(check.analysis.diagnostics);
  const verdict = counts.mandatory > 0 ? "the deploy would be refused" : "the deploy would pass";
  out.write(`\n${counts.mandatory} mandatory, ${count(counts.advisory, "advisory violation")}: ${verdict}\n`);
  return counts.mandatory > 0 ? EXIT_POLICY_VIOLATION : EXIT_OK;
}

export function registerPolicyCheck(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("policy-check")
    .description(`run the Pulumi program under mocks and judge what it registers with the policy pack (${PACK_PATH}/); exit 2 on a mandatory violation`)
    .option("-c, --catalog <file>", "catalog file", DEFAULT_CATALOG)
    .option("--stack <name>", "stack name the resources are named for", DEFAULT_POLICY_STACK)
    .option("--at <iso-time>", "judge maintenance windows and closed periods at this instant (e.g. 2026-01-06T12:00:00Z) instead of now")
    .option("--policy-pack-config <file>", "policy configuration, as for pulumi preview --policy-pack-config")
    .action((opts: PolicyCheckOptions) => run(() => policyCheck(opts)));
}
