/**
 * A contract worker (http or a provider's own) run on this machine, on the
 * same runner as in Lambda (runtime/workers/user/run.ts): against its stub
 * (the stub's settings and secrets) or against the real API (secrets from the
 * environment or a local file). Used by `sluice worker try`, the scaffolded
 * tests and `sluice local`.
 */
import type { Provider } from "../../runtime/catalog/provider";
import { ProblemsError } from "../../runtime/errors";
import type { Log } from "../../runtime/ventilator/telemetry";
import type { WorkerHandler } from "../../runtime/workers/contract";
import { httpWorkerDefinition } from "../../runtime/workers/http/http";
import type { SecretSource } from "../../runtime/workers/http/ports";
import type { WorkerDefinition } from "../../runtime/workers/user/define";
import type { RawFetch } from "../../runtime/workers/user/fetch";
import { isCustomProvider, loadCustomWorker } from "../../runtime/workers/user/load";
import { localSecrets } from "../../runtime/workers/user/local-secrets";
import { runWorker } from "../../runtime/workers/user/run";
import { isContractWorker, parseSettings, workerBinding } from "../../runtime/workers/user/settings";
import type { Stub } from "./define";
import type { StubServer } from "./server";

export interface LocalWorkerOptions {
  provider: Provider;
  /** The catalog file the provider came from (module paths are relative to it). */
  catalogFile: string;
  /** Run against this stub, served by `server`. */
  stub?: { stub: Stub; server: StubServer };
  /** Local secrets file for a run against the real API. */
  secretsFile?: string;
  timeoutMs: () => number;
  log: Log;
  /** @default global fetch */
  fetch?: RawFetch;
}

/** The provider's worker definition: the http worker's, or its own module's (problems as one line each). */
export function contractDefinition(provider: Provider, catalogFile: string): WorkerDefinition<any> {
  const where = `provider "${provider.id}"`;
  if (!isContractWorker(provider.worker)) throw new ProblemsError([`${where}: the chaos worker is a simulator, with nothing to try; sluice local runs it`]);
  if (!isCustomProvider(provider)) return httpWorkerDefinition;
  const loaded = loadCustomWorker(provider, catalogFile);
  if (!loaded.ok) throw new ProblemsError(loaded.problems.map((p) => `${where}: ${p}`));
  return loaded.definition;
}

function stubSecrets(stub: Stub): SecretSource {
  return {
    async getSecret(name) {
      const value = stub.secrets?.[name];
      if (value === undefined) throw new Error(`the stub gives no secret "${name}" (add it to its secrets)`);
      return value;
    },
  };
}

export function localWorkerHandler(opts: LocalWorkerOptions): WorkerHandler {
  const { provider } = opts;
  const definition = contractDefinition(provider, opts.catalogFile);
  if (!isContractWorker(provider.worker)) throw new ProblemsError([`provider "${provider.id}": not a contract worker`]);
  const binding = workerBinding(provider.worker);
  const raw = opts.stub ? { ...(binding.settings as Record<string, unknown>), ...opts.stub.server.settings } : binding.settings;
  const settings = parseSettings(definition, raw);
  if (!settings.ok) throw new ProblemsError(settings.problems.map((p) => `provider "${provider.id}"${opts.stub ? " (settings over its stub's)" : ""}: ${p}`));
  // Against the stub a secret is looked up by the name the worker asks for; the catalog still says which names exist.
  const secretIds = opts.stub ? Object.fromEntries(Object.keys(binding.secretIds).map((name) => [name, name])) : binding.secretIds;
  const secrets = opts.stub ? stubSecrets(opts.stub.stub) : localSecrets(binding.secretIds, opts.secretsFile !== undefined ? { file: opts.secretsFile } : {});
  return runWorker(definition, settings.settings, {
    fetch: opts.fetch ?? ((url, init) => fetch(url, init)),
    secrets,
    secretIds,
    timeoutMs: opts.timeoutMs,
    log: opts.log,
  });
}
