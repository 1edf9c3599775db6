/**
 * What `sluice new provider ID` writes: a catalog entry (disabled, so a deploy
 * creates the pipeline with its mapping off until the worker is ready), the
 * worker module from a template, its stub and a mocha test of the worker
 * against the stub. As generated, the entry validates, the module
 * type-checks and the test passes.
 */

export function catalogEntry(id: string): Record<string, unknown> {
  return {
    id,
    description: `${id}: a provider with its own worker (workers/${id}.ts).`,
    enabled: false,
    maxConcurrency: 4,
    latencyThresholdMs: 5000,
    errorRateThreshold: 0.5,
    maxAttempts: 3,
    worker: {
      module: `./workers/${id}.ts`,
      timeoutSeconds: 30,
      memoryMb: 256,
      settings: { baseUrl: `https://api.${id}.example` },
      secrets: { apiKey: `sluice/${id}/api-key` },
    },
    controller: { strategy: "adaptive" },
  };
}

export function workerSource(id: string): string {
  return `/**
 * ${id}: one record per call from the provider's REST API, landed as JSON.
 * Scaffolded by \`sluice new provider ${id}\`; see docs/workers.md.
 */
import { checkStatus, defineWorker, ok, permanent, providerUrl } from "sluice/worker";
import * as z from "zod";

/** worker.settings in providers.json: \`sluice validate\` checks them against this schema. */
const Settings = z.strictObject({
  baseUrl: providerUrl(),
});

/** What the provider answers for one record: check what the landing relies on. */
const Answer = z.object({ id: z.string(), value: z.number() });

export default defineWorker(Settings, async (record, ctx) => {
  // By its name in worker.secrets (Secrets Manager in AWS; the stub's secrets in tests and local mode).
  const apiKey = await ctx.secret("apiKey");
  const url = \`\${ctx.settings.baseUrl}/records/\${encodeURIComponent(record.id)}\`;
  // 429 -> throttled (Retry-After kept), 401/403 -> auth failure (the provider pauses), 5xx -> transient, other 4xx -> permanent.
  const response = checkStatus(await ctx.fetch(url, { headers: { authorization: \`Bearer \${apiKey}\`, accept: "application/json" } }), \`GET \${url}\`);
  const answer = Answer.safeParse(await response.json());
  if (!answer.success) return permanent(\`GET \${url}: unexpected answer: \${answer.error.issues[0]?.message}\`);
  // sluice lands it at ${id}/<day>/<record id>.json once this returns ok.
  ctx.land({ id: answer.data.id, value: answer.data.value, day: ctx.day });
  return ok();
});
`;
}

export function stubSource(id: string): string {
  return `/**
 * ${id}'s stub provider: canned answers for the worker's tests, \`sluice worker try --stub\`
 * and \`sluice local\` (which injects the provider's latency, errors and 429s on top).
 */
import { defineStub } from "sluice/stub";

export default defineStub({
  secrets: { apiKey: "stub-key" },
  settings: (url) => ({ baseUrl: url }),
  handle: (request) => (request.headers.authorization === "Bearer stub-key" ? undefined : { status: 401, json: { error: "bad key" } }),
  records: {
    route: "/records/{id}",
    responses: { missing: { status: 404, json: { error: "no such record" } } },
    otherwise: (id) => ({ json: { id, value: id.length } }),
  },
});
`;
}

export function testSource(id: string): string {
  return `import { expect } from "chai";
import { openWorker, type WorkerSession } from "sluice/stub";

describe("${id} worker against its stub", () => {
  let session: WorkerSession;
  before(async () => (session = await openWorker({ provider: "${id}", stub: true })));
  after(() => session.close());

  it("lands the record as JSON under the provider's day", async () => {
    const { response, landed, request } = await session.run("r-1");
    expect(response).to.deep.include({ ok: true });
    expect(landed?.key).to.equal(\`${id}/\${request.day}/r-1.json\`);
    expect(JSON.parse(landed!.body)).to.include({ id: "r-1", value: 3 });
  });

  it("ends a record the provider does not know permanently", async () => {
    expect((await session.run("missing")).response).to.deep.include({ ok: false, kind: "permanent" });
  });

  it("passes the provider's 429 on as throttled", async () => {
    const busy = await openWorker({ provider: "${id}", stub: true, profile: { baseLatencyMs: 0, slowPercentage: 0, slowMs: 0, errorPercentage: 0, throttlePercentage: 100 } });
    try {
      expect((await busy.run("r-1")).response).to.deep.include({ ok: false, kind: "throttled" });
    } finally {
      await busy.close();
    }
  });
});
`;
}
