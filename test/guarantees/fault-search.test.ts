/**
 * The fault search in CI: the sequences it found that broke a guarantee (kept
 * as they were shrunk, so they stay regressions whatever the generators
 * become), then a bounded search on the memory store and a smaller one on
 * DynamoDB Local. Long searches: `npm run fuzz -- --runs N [--seed S]`.
 */
import { expect } from "chai";
import type { Generated } from "./harness/arbitraries";
import { runOnce, search } from "./harness/search";
import { dynamoStores, memoryStores } from "./stores";
import { useDynamoDbLocal } from "../support/dynamodb";

/** Fixed seeds: CI searches the same runs every time, and a failure names them. */
const CI_SEED = 20_261_203;
const CI_RUNS = Number(process.env.FAULT_SEARCH_RUNS ?? 150);
const CI_DYNAMO_RUNS = Number(process.env.FAULT_SEARCH_DYNAMO_RUNS ?? 12);

const base = { zone: 0, cap: 1, shards: 1, parallelization: 1, maxAttempts: 1, timeoutSeconds: 2, backoffSeconds: 0, step: false, windows: 0, dailyLimit: null, base: 0, minutes: 0 };

/** What the search found, each with the seed and path fast-check reported, shrunk. */
const FOUND: { name: string; found: string; run: Generated }[] = [
  {
    name: "a worker that crashes after its fetch, before its guard writes: the record was fetched again",
    found: "npm run fuzz -- --seed 2 (run 35)",
    run: {
      provider: { ...base, maxAttempts: 2 },
      seed: 1,
      idPool: 3,
      missing: [],
      steps: [
        { kind: "fault", fault: "worker-crash", count: 1 },
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
        { kind: "fault", fault: "dynamo-reject", count: 1 },
        { kind: "fault", fault: "dynamo-reject", count: 1 },
        { kind: "to-midnight" },
      ],
    },
  },
  {
    name: "a pipeline paused for a refused credential longer than the stream's retention: the record expired unseen",
    found: "npm run fuzz -- --seed 2 (run 253)",
    run: {
      provider: base,
      seed: 1,
      idPool: 3,
      missing: [],
      steps: [
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
        { kind: "revoke" },
        { kind: "to-midnight" },
        { kind: "advance", ms: 29_938 },
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
        { kind: "fix" },
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
      ],
    },
  },
  {
    name: "a held batch handed back a copy already done: it blocked the expiring record behind it",
    found: "npm run fuzz -- --seed 4 (run 1187)",
    run: {
      provider: { ...base, step: true, windows: 4, minutes: 750 },
      seed: 1,
      idPool: 3,
      missing: [],
      steps: [
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
        { kind: "advance", ms: 2000 },
        { kind: "enqueue", ids: [1, 0, 17], lane: 0, stamped: false, adHoc: false },
        { kind: "revoke" },
        { kind: "kill", lane: 0 },
        { kind: "to-close" },
      ],
    },
  },
  {
    name: "a claim whose daily-limit reservation failed in DynamoDB was left behind: at its lease's end the record went dead uncalled",
    found: "npm run fuzz -- --runs 10000 --seed 11 (run 2010)",
    run: {
      provider: { ...base, dailyLimit: 3 },
      seed: 1,
      idPool: 3,
      missing: [],
      steps: [
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
        { kind: "advance", ms: 69 },
        { kind: "fault", fault: "dynamo-reject", count: 1 },
        { kind: "fix" },
        { kind: "fault", fault: "dynamo-reject", count: 1 },
        { kind: "enqueue", ids: [0], lane: 0, stamped: false, adHoc: false },
        { kind: "fault", fault: "dynamo-reject", count: 1 },
      ],
    },
  },
];

describe("fault search: the guarantees under generated faults", function () {
  this.timeout(120_000);

  describe("what it found, replayed", () => {
    for (const f of FOUND) {
      it(`${f.name} (found by ${f.found})`, async () => {
        expect(await runOnce(f.run, memoryStores())).to.deep.equal([]);
      });
    }
  });

  it(`holds on ${CI_RUNS} generated runs on the memory store (seed ${CI_SEED})`, async () => {
    const report = await search({ runs: CI_RUNS, seed: CI_SEED, stores: memoryStores() });
    expect(report.failure ?? "", report.failure).to.equal("");
    expect(report.runs).to.equal(CI_RUNS);
  });

  describe("on DynamoDB Local", () => {
    const dynamo = useDynamoDbLocal();
    it(`holds on ${CI_DYNAMO_RUNS} generated runs through the production DynamoDB adapter (seed ${CI_SEED})`, async () => {
      const report = await search({ runs: CI_DYNAMO_RUNS, seed: CI_SEED, stores: dynamoStores(dynamo.client, () => dynamo.tableName("fault")), maxSteps: 15 });
      expect(report.failure ?? "", report.failure).to.equal("");
      expect(report.runs).to.equal(CI_DYNAMO_RUNS);
    });
  });
});
