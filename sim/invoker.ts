/**
 * The worker Lambda as the ventilator's WorkerInvoker sees it: each invoke
 * starts a call at the provider model and resolves, through the event loop,
 * when the call ends plus the invoke's own overhead. Like the real invoker it
 * never rejects: the provider's answer is already classified.
 */
import type { WorkerRequest } from "../runtime/workers/contract";
import type { InvokeResult, WorkerInvoker } from "../runtime/ventilator/ports";
import type { EventLoop } from "./event-loop";
import type { ProviderModel } from "./provider-model";
import type { Recorder } from "./recorder";

export class SimWorkerInvoker implements WorkerInvoker {
  constructor(
    private readonly loop: EventLoop,
    private readonly provider: ProviderModel,
    private readonly recorder: Recorder,
    private readonly overheadMs: number,
  ) {}

  invoke(request: WorkerRequest, timeoutMs: number): Promise<InvokeResult> {
    const call = this.provider.start(this.loop.now, request.recordId);
    this.recorder.callStarted(call);
    return new Promise((resolve) => {
      this.loop.after(call.latencyMs, () => {
        this.provider.finish(call);
        this.recorder.callEnded(call, this.loop.now);
        const latencyMs = Math.min(timeoutMs, call.latencyMs + this.overheadMs);
        this.loop.after(this.overheadMs, () =>
          resolve(call.outcome === "ok" ? { outcome: "ok", latencyMs } : { outcome: call.outcome, latencyMs, reason: call.reason ?? call.outcome }),
        );
      });
    });
  }
}
