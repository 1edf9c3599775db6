/**
 * `sluice pause | resume | reset-breaker`: operator overrides. Each one
 *   1. loads the pipeline state and plans the change (operator-plan.ts),
 *   2. saves it with the ledger's optimistic concurrency — a lost race with a
 *      ventilator or the schedule re-reads and plans again,
 *   3. records who, why and when in the ledger's append-only audit,
 *   4. then changes the event source mapping through the production adapter.
 * The saved state is what the ventilator's gate and the re-arm schedule obey,
 * so a mapping update that fails after step 2 is reported as a warning: the
 * override is in force and the schedule reconciles the mapping.
 */
import type { Command } from "commander";
import { providerDay } from "../runtime/windows/clock";
import type { MappingChange } from "../runtime/ventilator/ports";
import { NotDeployedError, OperatorRefusal } from "./errors";
import { EXIT_FAILURE, EXIT_OK } from "./output";
import { describeHold, OPERATOR_ACTION, planPause, planResetBreaker, planResume, type OperatorActionName, type Plan, type PlanInput } from "./operator-plan";
import { AwsClients, PipelineAccess } from "./pipeline-access";
import { describeSource, locate } from "./resources";
import { addTargetOptions, operatorName, requireProvider, resolveTarget, TARGET_HELP, type TargetOptions } from "./target";
import { localAndUtc } from "./time-text";

interface OperatorOptions extends TargetOptions {
  provider: string;
  reason?: string;
  by?: string;
}

/** Saves lost to concurrent writers before giving up; each loss means someone else just decided. */
const MAX_SAVE_RACES = 5;

const COMMANDS: Record<OperatorActionName, { summary: string; plan: (input: PlanInput) => Plan; details: string; example: string }> = {
  [OPERATOR_ACTION.PAUSE]: {
    summary: "stop a provider's pipeline until an operator resumes it (disables its event source mapping)",
    plan: planPause,
    details: `Saves an operator pause in the pipeline state (the ventilator hands back every batch, the
re-arm schedule keeps the mapping disabled) and disables the mapping. Records still in the
stream wait there (within its retention) and are fetched after resume. Pausing a pipeline an
operator already paused changes nothing and exits 0.`,
    example: `  sluice pause -p meridian-funds --reason "provider incident INC-4711"`,
  },
  [OPERATOR_ACTION.RESUME]: {
    summary: "lift an operator pause and re-enable the mapping at its saved mapping batch size",
    plan: planResume,
    details: `Refused (exit 1) unless an operator paused the pipeline. The mapping is enabled at the batch
size saved when it was paused, unless the provider's window is closed, its daily limit is used
up, or its breaker is open: then the re-arm schedule enables it when that ends, and the command
says so.`,
    example: `  sluice resume -p meridian-funds --reason "INC-4711 resolved"`,
  },
  [OPERATOR_ACTION.RESET_BREAKER]: {
    summary: "close an open (or half-open) breaker now and restart the controller from its initial state",
    plan: planResetBreaker,
    details: `Refused (exit 1) when the breaker is closed. The controller restarts as after a fresh deploy
(breaker closed, limit = the provider's initialFanOut, no trips) and the mapping is enabled at
that size, unless a pause, a closed window or the catalog holds it.`,
    example: `  sluice reset-breaker -p demo --reason "provider fixed their gateway"`,
  },
};

export function registerOperator(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  for (const [name, spec] of Object.entries(COMMANDS) as [OperatorActionName, (typeof COMMANDS)[OperatorActionName]][]) {
    const cmd = program
      .command(name)
      .description(spec.summary)
      .requiredOption("-p, --provider <id>", "provider whose pipeline to change")
      .option("-r, --reason <text>", "why, kept in the ledger's audit (and shown by status)")
      .option("--by <name>", "who, kept in the audit (default: your OS user name)");
    addTargetOptions(cmd).addHelpText(
      "after",
      `
${spec.details}

Each action is recorded in the provider's ledger (who, why, when); sluice status shows the last ones.
Exit status: 0 when the change is saved (a mapping that could not be updated yet is a warning: the
saved state is what the ventilator and the schedule obey); 1 when refused or nothing could be saved.
${TARGET_HELP}

Example:
${spec.example}`,
    );
    cmd.action((opts: OperatorOptions) => run(() => operate(cmd, name, opts)));
  }
}

async function operate(cmd: Command, action: OperatorActionName, opts: OperatorOptions): Promise<number> {
  const by = operatorName(opts.by);
  const target = await resolveTarget(cmd, opts);
  const provider = requireProvider(target.catalog, opts.provider, opts.catalog);
  const where = describeSource(target.source);
  const resources = locate(target.source, provider.id);
  if (!resources) throw new NotDeployedError(provider.id, where, [`providers.${provider.id}`]);
  const note = opts.reason?.trim() || undefined;

  const clients = new AwsClients();
  try {
    const access = new PipelineAccess(provider, resources, where, clients);
    const spec = COMMANDS[action];
    let plan: Plan | undefined;
    let now = Date.now();
    for (let race = 0; race < MAX_SAVE_RACES; race++) {
      now = Date.now();
      const loaded = await access.ledgerCall("reading the pipeline state", (l) => l.loadPipeline());
      const today = action === OPERATOR_ACTION.RESUME && provider.dailyRequestLimit !== undefined ? await access.ledgerCall("reading today's counters", (l) => l.dayStats(providerDay(provider.timezone, now))) : undefined;
      plan = spec.plan({ provider, now, loaded, by, ...(note ? { note } : {}), ...(today ? { today } : {}) });
      if (plan.kind !== "save") break;
      const state = plan.state;
      if (await access.ledgerCall("saving the pipeline state", (l) => l.savePipeline(state, loaded?.version ?? null))) break;
      plan = undefined;
    }
    if (!plan) throw new OperatorRefusal(`${action} of provider "${provider.id}" not saved: the pipeline state changed ${MAX_SAVE_RACES} times while saving; run it again`);
    if (plan.kind === "refuse") throw new OperatorRefusal(plan.message);

    const out: string[] = [];
    let auditFailure: string | undefined;
    if (plan.kind === "unchanged") {
      out.push(`${provider.id}: ${plan.message}; nothing changed`);
    } else {
      out.push(`${provider.id}: ${pastTense(action)} by ${by} in ${where}${note ? `: ${note}` : ""}`);
      try {
        await access.ledgerCall("recording the operator action", (l) => l.recordOperatorAction({ action, by, reason: note ?? "", at: now }));
        out.push(`  recorded  ${action} by ${by} at ${localAndUtc(provider.timezone, now)} in the ledger's audit`);
      } catch (err) {
        auditFailure = err instanceof Error ? err.message : String(err);
      }
    }

    let warning: string | undefined;
    if (plan.mapping) {
      const applied = await applyMapping(access, plan.mapping);
      out.push(applied.line);
      warning = applied.warning;
    } else if (plan.kind === "save" && plan.hold) {
      out.push(`  mapping   left as it is: ${describeHold(plan.hold, provider)}`);
    }
    process.stdout.write(out.join("\n") + "\n");
    if (warning) process.stderr.write(`warning: ${warning}\n`);
    if (auditFailure) {
      process.stderr.write(`${provider.id}: the ${action} is saved and in force, but its audit entry could not be written: ${auditFailure}\n`);
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  } finally {
    clients.destroy();
  }
}

function pastTense(action: OperatorActionName): string {
  return action === OPERATOR_ACTION.PAUSE ? "paused" : action === OPERATOR_ACTION.RESUME ? "resumed" : "breaker reset";
}

/** The mapping step after a saved change; a failure is a warning because the saved state already rules. */
async function applyMapping(access: PipelineAccess, change: MappingChange): Promise<{ line: string; warning: string | undefined }> {
  const asked = change.enabled === false ? "disable" : `enable at mapping batch size ${change.batchSize}`;
  const fallback =
    change.enabled === false
      ? "the ventilator hands back every batch that still arrives and the re-arm schedule disables the mapping"
      : "the re-arm schedule enables it on its next run";
  try {
    const result = await access.mappingCall("UpdateEventSourceMapping", (m) => m.update(change));
    if (result.applied) return { line: `  mapping   ${result.view.state}, mapping batch size ${result.view.batchSize} (asked: ${asked})`, warning: undefined };
    return { line: `  mapping   NOT updated (asked: ${asked})`, warning: `the mapping could not be updated: ${result.reason ?? "unknown reason"}; ${fallback}` };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { line: `  mapping   NOT updated (asked: ${asked})`, warning: `the mapping could not be updated: ${why}; ${fallback}` };
  }
}
