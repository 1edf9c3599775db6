/** The ledger guard as a worker Lambda builds it from its environment (WORKER_LEDGER_ENV). */
import { validateProvider } from "../catalog/validate";
import { DynamoDbLedgerStore } from "../ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../ledger/ledger";
import { WORKER_LEDGER_ENV } from "../lambda-env";
import { systemClock } from "../ventilator/ports";
import type { WorkerHandler } from "./contract";
import type { ObjectStore } from "./http/ports";
import { withLedgerGuard } from "./ledger-guard";

/** Returns the wrapper to apply to a worker; without the ledger configured it only lands. */
export function ledgerGuardFromEnv(env: NodeJS.ProcessEnv = process.env, land?: ObjectStore): (worker: WorkerHandler) => WorkerHandler {
  const table = env[WORKER_LEDGER_ENV.TABLE];
  const providerJson = env[WORKER_LEDGER_ENV.PROVIDER];
  if (!table || !providerJson) return (worker) => withLedgerGuard(worker, { clock: systemClock, ...(land ? { land } : {}) });
  const provider = validateProvider(JSON.parse(providerJson), WORKER_LEDGER_ENV.PROVIDER);
  const store = new DynamoDbLedgerStore({ tableName: table });
  const settings = ledgerSettings(provider);
  // A Ledger per call: its claim memory is per invocation (see runtime/ledger/ledger.ts).
  return (worker) => withLedgerGuard(worker, { ledger: () => new Ledger(store, settings), clock: systemClock, ...(land ? { land } : {}) });
}
