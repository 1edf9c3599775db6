import { expect } from "chai";
import fc from "fast-check";
import { expiredPrefix, FRESH_RETRY_STATE, nextStep, type DeliveryOutcome, type RetryPolicy, type RetryState } from "../../../local/lambda-emulator/shard-retry";

const forever: RetryPolicy = { maximumRetryAttempts: -1, bisectBatchOnFunctionError: false };
const twice: RetryPolicy = { maximumRetryAttempts: 2, bisectBatchOnFunctionError: false };
const bisecting: RetryPolicy = { maximumRetryAttempts: 0, bisectBatchOnFunctionError: true };
const state = (attempts: number, pendingSizes: number[] = []): RetryState => ({ attempts, pendingSizes });

describe("shard retry rules (nextStep)", () => {
  const table: { name: string; outcome: DeliveryOutcome; n: number; state: RetryState; policy: RetryPolicy; expected: ReturnType<typeof nextStep> }[] = [
    { name: "success checkpoints after the last record", outcome: { kind: "success" }, n: 5, state: state(3), policy: forever, expected: { type: "advance", through: 4, retry: state(0) } },
    {
      name: "partial failure checkpoints just before the lowest failed record",
      outcome: { kind: "partial", firstFailedIndex: 2 },
      n: 5,
      state: state(0),
      policy: forever,
      expected: { type: "retry", through: 1, retry: state(1) },
    },
    {
      name: "partial failure at the first record keeps the checkpoint and counts an attempt",
      outcome: { kind: "partial", firstFailedIndex: 0 },
      n: 5,
      state: state(1),
      policy: forever,
      expected: { type: "retry", through: null, retry: state(2) },
    },
    {
      name: "partial failures past MaximumRetryAttempts discard from the failed record on",
      outcome: { kind: "partial", firstFailedIndex: 0 },
      n: 5,
      state: state(2),
      policy: twice,
      expected: { type: "discard", from: 0, through: 4, condition: "RetryAttemptsExhausted", invokeCount: 3, retry: state(0) },
    },
    { name: "function error retries the whole batch", outcome: { kind: "failed" }, n: 5, state: state(0), policy: twice, expected: { type: "retry", through: null, retry: state(1) } },
    {
      name: "function error after MaximumRetryAttempts retries discards the batch",
      outcome: { kind: "failed" },
      n: 5,
      state: state(2),
      policy: twice,
      expected: { type: "discard", from: 0, through: 4, condition: "RetryAttemptsExhausted", invokeCount: 3, retry: state(0) },
    },
    {
      name: "MaximumRetryAttempts -1 retries forever",
      outcome: { kind: "failed" },
      n: 5,
      state: state(10_000),
      policy: forever,
      expected: { type: "retry", through: null, retry: state(10_001) },
    },
    { name: "a throttle retries without counting an attempt", outcome: { kind: "throttled" }, n: 5, state: state(2), policy: twice, expected: { type: "retry", through: null, retry: state(2) } },
    {
      name: "bisection splits a failed batch without using the retry quota",
      outcome: { kind: "failed" },
      n: 5,
      state: state(0),
      policy: bisecting,
      expected: { type: "retry", through: null, retry: state(0, [3, 2]) },
    },
    {
      name: "bisection of a half keeps the other half owed",
      outcome: { kind: "failed" },
      n: 3,
      state: state(0, [3, 2]),
      policy: bisecting,
      expected: { type: "retry", through: null, retry: state(0, [2, 1, 2]) },
    },
    {
      name: "a single failing record under bisection uses the retry quota",
      outcome: { kind: "failed" },
      n: 1,
      state: state(0, [1, 1]),
      policy: bisecting,
      expected: { type: "discard", from: 0, through: 0, condition: "RetryAttemptsExhausted", invokeCount: 1, retry: state(0, [1]) },
    },
    { name: "success pays off one owed half", outcome: { kind: "success" }, n: 2, state: state(0, [2, 3]), policy: bisecting, expected: { type: "advance", through: 1, retry: state(0, [3]) } },
  ];
  for (const row of table) {
    it(row.name, () => {
      expect(nextStep(row.outcome, row.n, row.state, row.policy)).to.deep.equal(row.expected);
    });
  }

  it("refuses a failed index outside the batch", () => {
    expect(() => nextStep({ kind: "partial", firstFailedIndex: 5 }, 5, FRESH_RETRY_STATE, forever)).to.throw(RangeError, /firstFailedIndex 5/);
  });

  it("keeps the checkpoint inside the batch, splits into halves that add up, and never discards when retries are unlimited (property)", () => {
    const outcome = fc.oneof(
      fc.constant<DeliveryOutcome>({ kind: "success" }),
      fc.constant<DeliveryOutcome>({ kind: "failed" }),
      fc.constant<DeliveryOutcome>({ kind: "throttled" }),
      fc.nat(99).map<DeliveryOutcome>((k) => ({ kind: "partial", firstFailedIndex: k })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), outcome, fc.nat(20), fc.integer({ min: -1, max: 10 }), fc.boolean(), (n, o, attempts, maxRetry, bisect) => {
        if (o.kind === "partial" && o.firstFailedIndex >= n) return;
        const step = nextStep(o, n, state(attempts), { maximumRetryAttempts: maxRetry, bisectBatchOnFunctionError: bisect });
        if (step.type === "retry" && step.through !== null) expect(step.through).to.be.within(0, n - 1);
        if (step.type === "discard") expect(step.through).to.equal(n - 1);
        for (const size of step.retry.pendingSizes) expect(size).to.be.at.least(1);
        if (step.type === "discard") expect(maxRetry).to.not.equal(-1);
        if (o.kind === "failed" && bisect && n > 1) expect(step.retry.pendingSizes[0]! + step.retry.pendingSizes[1]!).to.equal(n);
      }),
    );
  });
});

describe("record age (expiredPrefix)", () => {
  const table: { name: string; arrivals: number[]; now: number; maxAge: number; expected: number }[] = [
    { name: "-1 keeps every record", arrivals: [0, 1, 2], now: 10_000_000, maxAge: -1, expected: 0 },
    { name: "counts the leading records older than the limit", arrivals: [0, 1_000, 70_000], now: 61_500, maxAge: 60, expected: 2 },
    { name: "a record exactly at the limit is kept", arrivals: [1_500], now: 61_500, maxAge: 60, expected: 0 },
    { name: "stops at the first young record", arrivals: [0, 60_000, 0], now: 61_000, maxAge: 60, expected: 1 },
  ];
  for (const row of table) {
    it(row.name, () => expect(expiredPrefix(row.arrivals, row.now, row.maxAge)).to.equal(row.expected));
  }
});
