/** What a batch needs from outside: the provider, its ports, the clock and the log. */
import type { Provider } from "../../catalog/provider";
import type { Clock, LedgerPort, MappingControl, WorkerInvoker } from "../ports";
import type { Log } from "../telemetry";

export interface VentilatorDeps {
  provider: Provider;
  /** A ledger for one invocation: a Ledger remembers the claims it made (see runtime/ledger/ledger.ts). */
  openLedger: () => LedgerPort;
  invoker: WorkerInvoker;
  mapping: MappingControl;
  clock: Clock;
  log: Log;
  metricsNamespace: string;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Longest pause before a batch that made no progress is handed back. @default HAND_BACK_PAUSE_MS */
  handBackPauseMs?: number;
}

/** The part of the Lambda context the ventilator reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export type Sleep = (ms: number) => Promise<void>;

export function sleeperOf(deps: Pick<VentilatorDeps, "sleep">): Sleep {
  return deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
}
