/**
 * The two transports of the mapping control policy, each as a rig the
 * contract test (control-contract.test.ts) runs the same cases against:
 *  - sdk: EventSourceMappingControl (the ventilator's) over HTTP to FakeLambda,
 *    on a fake clock whose sleeps advance it;
 *  - sim: SimMappingControl (the simulator's containers) over SimControlPlane,
 *    in the simulator's virtual time (updates land at once: delay 0).
 * Both start from one mapping (batch size 10) and draw random() = 0.5.
 */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClient } from "../../runtime/aws/clients";
import { EventSourceMappingControl } from "../../runtime/aws/mapping-control";
import type { MappingControlPolicy } from "../../runtime/mapping/policy";
import type { MappingControlSettings } from "../../runtime/mapping/settings";
import type { MappingDelta } from "../../runtime/mapping/transport";
import { EventLoop } from "../../sim/event-loop";
import { SimControlPlane, SimMappingControl } from "../../sim/mapping-control";
import { FakeLambda } from "../aws/fake-lambda";
import { FakeClock, recordingSleep } from "../aws/http-fixture";

export type ControlOptions = Partial<MappingControlSettings> & { deadlineMs?: () => number };

export interface Rig {
  control(opts?: ControlOptions): MappingControlPolicy;
  /** What the control plane was last asked for. */
  mapping(): { batchSize: number; enabled: boolean };
  /** The fields of every update request the controls sent, refused ones included. */
  sent(): MappingDelta[];
  /** Another client's update, accepted and in progress. */
  external(delta: MappingDelta): void;
  /** The next update / read request is refused with this error and HTTP status. */
  refuseUpdate(error: string, status: number): void;
  refuseRead(error: string, status: number): void;
  /** Lets time pass (virtual: nothing waits for real). */
  advance(ms: number): Promise<void>;
  /** Time passed since the rig started, sleeps included. */
  elapsed(): number;
  /** Runs a call of a control to its end. */
  run<T>(call: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RigFactory {
  name: string;
  open(initial: { batchSize: number; enabled: boolean }): Promise<Rig>;
}

const UUID = "m-1";
const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/records";
const HALF = () => 0.5;

export const sdkRig: RigFactory = {
  name: "the SDK adapter over HTTP (runtime/aws/mapping-control)",
  async open(initial) {
    const lambda = await new FakeLambda().start();
    const client: LambdaClient = lambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
    const clock = new FakeClock();
    const start = clock.now();
    const sleeper = recordingSleep(clock);
    lambda.addMapping({ UUID, BatchSize: initial.batchSize, State: initial.enabled ? "Enabled" : "Disabled", EventSourceArn: STREAM });
    const error = (type: string, status: number) => ({ type, status, message: `scripted ${type}` });
    return {
      control: (opts = {}) =>
        new EventSourceMappingControl({ client, uuid: UUID, functionName: "ventilator", eventSourceArn: STREAM, clock, sleep: sleeper.sleep, random: HALF, ...opts }),
      mapping: () => ({ batchSize: lambda.mappings.get(UUID)!.BatchSize, enabled: lambda.isEnabled(UUID) }),
      sent: () => lambda.requests.filter((r) => r.method === "PUT").map((r) => JSON.parse(r.body) as MappingDelta),
      external: (delta) => lambda.changeBy(UUID, delta),
      refuseUpdate: (type, status) => void lambda.updateFailures.push(error(type, status)),
      refuseRead: (type, status) => void lambda.readFailures.push(error(type, status)),
      advance: async (ms) => clock.advance(ms),
      elapsed: () => clock.now() - start,
      run: (call) => call(),
      close: async () => {
        client.destroy();
        await lambda.stop();
      },
    };
  },
};

export const simRig: RigFactory = {
  name: "the simulator's control plane (sim/mapping-control)",
  async open(initial) {
    const start = 1_767_225_600_000;
    const loop = new EventLoop(start);
    const plane = new SimControlPlane(loop, initial, () => 0);
    const externals = new Set<number>();
    return {
      control: ({ deadlineMs, ...settings } = {}) => {
        const control = new SimMappingControl(plane, loop, HALF, settings);
        if (deadlineMs) control.deadlineMs = deadlineMs;
        return control;
      },
      mapping: () => ({ ...plane.requested }),
      sent: () => plane.updateLog.filter((_, i) => !externals.has(i)),
      external: (delta) => {
        externals.add(plane.updateLog.length);
        plane.update(delta);
      },
      refuseUpdate: (error, status) => void plane.scripted.updates.push({ error, status }),
      refuseRead: (error, status) => void plane.scripted.reads.push({ error, status }),
      advance: async (ms) => {
        loop.at(loop.now + ms, () => undefined);
        await loop.run({ horizon: loop.now + ms });
      },
      elapsed: () => loop.now - start,
      run: async (call) => {
        let settled = false;
        const result = call();
        result.then(
          () => (settled = true),
          () => (settled = true),
        );
        await loop.run({ horizon: Number.MAX_SAFE_INTEGER, done: () => settled });
        return result;
      },
      close: async () => undefined,
    };
  },
};
