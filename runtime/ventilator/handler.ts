/** One function, two events: a Kinesis batch or a tick of the re-arm schedule. */
import { SluiceError } from "../errors";
import { processBatch, type BatchResponse, type InvocationContext, type VentilatorDeps } from "./batch";
import { isKinesisBatch, isScheduledEvent } from "./records";
import { onSchedule, type TickOutcome } from "./schedule";

export type VentilatorResult = BatchResponse | { outcome: TickOutcome };

export class UnknownEventError extends SluiceError {
  constructor(readonly event: unknown) {
    super(`the ventilator handles Kinesis batches and scheduled events; got ${JSON.stringify(event)?.slice(0, 200)}`);
  }
}

export function createVentilator(deps: VentilatorDeps): (event: unknown, context: InvocationContext) => Promise<VentilatorResult> {
  return async (event, context) => {
    if (isKinesisBatch(event)) return processBatch(event, context, deps);
    if (isScheduledEvent(event)) return onSchedule(deps);
    throw new UnknownEventError(event);
  };
}
