/**
 * Lambda as the ventilator meets it in the fault search: the worker function
 * (reserved concurrency, cold starts, its timeout that kills the execution,
 * answers through JSON and the real classification) behind the WorkerInvoker
 * port, and the event source mapping's control plane behind a LambdaClient
 * the real EventSourceMappingControl talks to.
 */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { classifyAnswer, classifyFailure } from "../../../runtime/aws/lambda-invoker";
import type { Provider } from "../../../runtime/catalog/provider";
import { workerLambdaTimeoutSeconds, WORKER_INIT_MAX_SECONDS } from "../../../runtime/catalog/timing";
import { Ledger, ledgerSettings } from "../../../runtime/ledger/ledger";
import type { InvokeResult, MappingState } from "../../../runtime/ventilator/ports";
import type { WorkerRequest, WorkerResponse } from "../../../runtime/workers/contract";
import { withLedgerGuard } from "../../../runtime/workers/ledger-guard";
import { Faults, Kill } from "./faults";
import type { VirtualLoop } from "./loop";
import { modelWorker, type LandingModel, type ProviderService } from "./provider";
import type { Rng } from "./rng";
import type { ClaimBook, FaultyStore } from "./store";

const encoder = new TextEncoder();

/** An SDK v3 service error as the adapters read it: name and HTTP status. */
export function sdkError(name: string, status: number | undefined, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });
}

export interface WorkerFunctionDeps {
  provider: Provider;
  loop: VirtualLoop;
  faults: Faults;
  rng: Rng;
  store: FaultyStore;
  service: ProviderService;
  landing: LandingModel;
  claims: ClaimBook;
}

export class WorkerFunction {
  inFlight = 0;
  private serial = 0;
  readonly executions = new Set<Kill>();

  constructor(private readonly d: WorkerFunctionDeps) {}

  /** The ventilator's Invoke, made by execution `owner` (killed with `caller`). */
  invoke(request: WorkerRequest, timeoutMs: number, owner: string, caller: Kill): Promise<InvokeResult> {
    const { loop, faults, rng, claims } = this.d;
    const started = loop.now;
    const ref = `${request.recordId}|${request.day}`;
    const answered = (classified: Omit<InvokeResult, "latencyMs">): InvokeResult => {
      if (classified.call === "in-doubt") claims.inDoubt(owner, ref);
      return { ...classified, latencyMs: loop.now - started };
    };
    if (faults.take("invoke-refused")) return caller.guard(Promise.resolve(answered(classifyFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), false, timeoutMs))));
    if (faults.take("lambda-throttle") || this.inFlight >= this.d.provider.maxConcurrency) {
      return caller.guard(Promise.resolve(answered(classifyFailure(sdkError("TooManyRequestsException", 429, "Rate Exceeded."), false, timeoutMs))));
    }
    const execution = this.run(request);
    const lost = faults.take("answer-lost");
    const result = new Promise<InvokeResult>((resolve) => {
      let settled = false;
      const settle = (r: Omit<InvokeResult, "latencyMs">) => {
        if (settled) return;
        settled = true;
        resolve(answered(r));
      };
      // The ventilator's own deadline: it stops waiting, the worker may still run.
      loop.at(started + timeoutMs, () => settle(classifyFailure(new Error("aborted"), true, timeoutMs)));
      if (lost) loop.at(started + rng.int(1, timeoutMs - 1), () => settle(classifyFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), false, timeoutMs)));
      void execution.then((answer) => settle(answer));
    });
    return caller.guard(result);
  }

  /** One execution: cold start, the guarded worker, killed at its timeout; resolves with the classified answer. */
  private run(request: WorkerRequest): Promise<Omit<InvokeResult, "latencyMs">> {
    const { provider, loop, faults, rng, store, service, landing, claims } = this.d;
    const owner = `worker:${++this.serial}`;
    const kill = new Kill();
    this.executions.add(kill);
    this.inFlight++;
    const init = rng.chance(0.1) ? rng.int(0, WORKER_INIT_MAX_SECONDS * 1000) : rng.int(0, 50);
    const timeoutMs = workerLambdaTimeoutSeconds(provider) * 1000;
    const settings = ledgerSettings(provider);
    let claimSerial = 0;
    const guarded = withLedgerGuard(modelWorker(provider, service, { loop, faults, kill }), {
      ledger: () => new Ledger(store.view(owner, kill), settings, () => `${owner}/${++claimSerial}`),
      land: { put: (key, body) => kill.guard(landing.put(key, body)) },
      clock: loop.clock,
      sleep: (ms) => kill.guard(loop.sleep(ms)),
    });
    return new Promise((resolve) => {
      let done = false;
      const finish = (answer: Omit<InvokeResult, "latencyMs">, killIt: boolean) => {
        if (done) return;
        done = true;
        this.inFlight--;
        if (killIt) kill.kill();
        this.executions.delete(kill);
        claims.ended(owner, killIt);
        resolve(answer);
      };
      loop.at(loop.now + init, () => {
        const deadline = loop.now + timeoutMs;
        loop.at(deadline, () => finish(classifyAnswer("Unhandled", payload({ errorType: "Sandbox.Timedout", errorMessage: `Task timed out after ${timeoutMs / 1000} seconds` })), true));
        kill
          .guard(guarded(JSON.parse(JSON.stringify(request)) as WorkerRequest))
          .then(
            (answer: WorkerResponse) => finish(classifyAnswer(undefined, payload(answer)), false),
            (err: unknown) => finish(classifyAnswer("Unhandled", payload({ errorType: (err as Error).name, errorMessage: (err as Error).message })), true),
          );
      });
    });
  }
}

function payload(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * The mapping's control plane: an update is accepted (202) and applies
 * `delay` later; meanwhile Get shows the old settings with state Updating /
 * Enabling / Disabling, and another update is refused (ResourceInUse or
 * ResourceConflict). The poller reads `effective`.
 */
export class ControlPlane {
  readonly uuid = "fault-search-mapping";
  effective: { batchSize: number; enabled: boolean };
  private state: MappingState;
  private busyUntil = -Infinity;
  requests = 0;
  /** Told when an update takes effect (the pollers wake up). */
  onApplied: () => void = () => undefined;

  constructor(
    private readonly loop: VirtualLoop,
    private readonly faults: Faults,
    private readonly rng: Rng,
    initial: { batchSize: number; enabled: boolean },
  ) {
    this.effective = { ...initial };
    this.state = initial.enabled ? "Enabled" : "Disabled";
  }

  /** A LambdaClient for the real EventSourceMappingControl; its calls die with the execution running it. */
  client(kill: () => Kill): LambdaClient {
    const send = (command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> =>
      kill().guard(
        (async () => {
          await this.loop.sleep(this.rng.int(5, 60));
          return this.handle(command.constructor.name, command.input);
        })(),
      );
    return { send } as unknown as LambdaClient;
  }

  private view() {
    return { UUID: this.uuid, BatchSize: this.effective.batchSize, State: this.state, EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/fault-search", FunctionArn: "ventilator" };
  }

  private handle(operation: string, input: Record<string, unknown>): unknown {
    this.requests++;
    if (this.faults.take("cp-throttle")) throw sdkError("TooManyRequestsException", 429, "Rate exceeded");
    if (this.faults.take("cp-denied")) throw sdkError("AccessDeniedException", 403, "not authorized (injected)");
    switch (operation) {
      case "GetEventSourceMappingCommand":
        return this.view();
      case "ListEventSourceMappingsCommand":
        return { EventSourceMappings: [this.view()] };
      case "UpdateEventSourceMappingCommand": {
        if (this.faults.take("cp-conflict")) throw sdkError("ResourceConflictException", 409, "An update is in progress (injected)");
        if (this.faults.take("cp-in-use") || this.loop.now < this.busyUntil) throw sdkError(this.rng.chance(0.5) ? "ResourceInUseException" : "ResourceConflictException", 409, "An update is in progress");
        const target = {
          batchSize: typeof input.BatchSize === "number" ? input.BatchSize : this.effective.batchSize,
          enabled: typeof input.Enabled === "boolean" ? input.Enabled : this.effective.enabled,
        };
        this.state = target.enabled === this.effective.enabled ? "Updating" : target.enabled ? "Enabling" : "Disabling";
        this.busyUntil = this.loop.now + this.rng.int(200, 5_000);
        this.loop.at(this.busyUntil, () => {
          this.effective = target;
          this.state = target.enabled ? "Enabled" : "Disabled";
          this.onApplied();
        });
        // Accepted (202): the answer carries the asked settings and the transitional state; Get shows the old ones until applied.
        return { ...this.view(), BatchSize: target.batchSize };
      }
      default:
        throw sdkError("UnknownOperationException", 400, operation);
    }
  }
}

export { Faults, Kill };
