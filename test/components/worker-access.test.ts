import { expect } from "chai";
import { validateProvider } from "../../runtime/catalog/validate";
import { usesStackBucket, workerAccess } from "../../components/worker-access";

const key = "arn:aws:kms:eu-west-2:123456789012:key/abc-123";
const provider = (worker: Record<string, unknown>) => validateProvider({ id: "p1", maxConcurrency: 2, worker });
const http = (extra: Record<string, unknown> = {}) => ({ module: "http", settings: { urlTemplate: "https://a.example/{id}", secretId: "sluice/p1/key", ...extra } });

describe("what a worker may reach (secrets, landing bucket, key)", () => {
  const cases: [string, Record<string, unknown>, ReturnType<typeof workerAccess<string>>, boolean][] = [
    ["chaos: nothing", { module: "chaos" }, { secretIds: [] }, false],
    ["http on the stack's bucket and key", http(), { secretIds: ["sluice/p1/key"], bucket: "stack", kmsKeyArn: "stack-key" }, true],
    ["http on its own bucket, with its own key", http({ bucket: "own-bucket", kmsKeyArn: key }), { secretIds: ["sluice/p1/key"], bucket: "own-bucket", kmsKeyArn: key }, false],
    [
      "its own module: its declared secrets (each once, sorted) and the stack's bucket",
      { module: "./workers/p1.ts", secrets: { b: "sluice/p1/b", a: "sluice/p1/a", again: "sluice/p1/a" } },
      { secretIds: ["sluice/p1/a", "sluice/p1/b"], bucket: "stack", kmsKeyArn: "stack-key" },
      true,
    ],
  ];
  for (const [name, worker, expected, stack] of cases) {
    it(name, () => {
      const p = provider(worker);
      expect(workerAccess(p, "stack", "stack-key")).to.deep.equal(expected);
      expect(usesStackBucket(p)).to.equal(stack);
    });
  }
});
