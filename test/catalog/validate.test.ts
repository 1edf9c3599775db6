import { expect } from "chai";
import { CatalogError } from "../../runtime/errors";
import { serializeProvider } from "../../runtime/catalog/provider";
import { validateCatalog, validateProvider } from "../../runtime/catalog/validate";

const chaos = { module: "chaos" } as const;

function problems(raw: unknown): string[] {
  try {
    validateCatalog(raw);
  } catch (err) {
    expect(err).to.be.instanceOf(CatalogError);
    return [...(err as CatalogError).problems];
  }
  throw new Error("expected the catalog to be rejected");
}

function one(provider: Record<string, unknown>, ...others: Record<string, unknown>[]): string[] {
  return problems({ providers: [...others, provider] });
}

const ok = { id: "ok", maxConcurrency: 4, worker: chaos };

describe("catalog validation", () => {
  it("reads the old names maxBatchSize and initialBatchSize as maxFanOut and initialFanOut, with one deprecation line each", () => {
    const catalog = validateCatalog({ providers: [{ id: "acme", maxConcurrency: 10, maxBatchSize: 6, initialBatchSize: 3, worker: chaos }] });
    const p = catalog.providers[0]!;
    expect(p).to.include({ maxFanOut: 6, initialFanOut: 3 });
    expect(p).not.to.have.any.keys("maxBatchSize", "initialBatchSize");
    expect(catalog.warnings).to.deep.equal([
      'providers.json: provider "acme" (#1): maxBatchSize is deprecated: rename it to maxFanOut (the fan-out limit, calls one batch may have in flight)',
      'providers.json: provider "acme" (#1): initialBatchSize is deprecated: rename it to initialFanOut (the fan-out limit, calls one batch may have in flight)',
    ]);
    expect(validateCatalog({ providers: [ok] }).warnings).to.deep.equal([]);
  });

  it("accepts the peer strategies with the shared mechanics' settings, and only those", () => {
    for (const strategy of ["aimd", "vegas", "gradient2"]) {
      const p = validateCatalog({ providers: [{ ...ok, controller: { strategy } }] }).providers[0]!;
      expect(p.controller).to.deep.equal({ strategy, minUpdateIntervalSeconds: 60, breaker: { baseIntervalMinutes: 10, maxIntervalMinutes: 160, probesToClose: 3 } });
    }
    expect(one({ ...ok, controller: { strategy: "vegas", decreaseFactor: 0.5 } })).to.deep.equal(['providers.json: provider "ok" (#1): unknown field "controller.decreaseFactor"']);
    expect(one({ ...ok, controller: { strategy: "gradient2", breaker: { baseIntervalMinutes: 20, maxIntervalMinutes: 10 } } })).to.deep.equal([
      'providers.json: provider "ok" (#1): controller.breaker.maxIntervalMinutes 10 is below baseIntervalMinutes 20',
    ]);
  });

  it("still reads step's rearmIntervalMinutes, saying it is ignored", () => {
    const catalog = validateCatalog({ providers: [{ ...ok, controller: { strategy: "step", rearmIntervalMinutes: 5 } }] });
    expect(catalog.warnings).to.deep.equal([
      'providers.json: provider "ok" (#1): controller.rearmIntervalMinutes is ignored: step re-enables at the next re-arm tick, set by the stack\'s sluice:rearmIntervalMinutes',
    ]);
  });

  it("refuses an entry that gives both the old and the new name of a field", () => {
    expect(one({ ...ok, maxFanOut: 2, maxBatchSize: 2 })).to.deep.equal(['providers.json: provider "ok" (#1): maxBatchSize is the old name of maxFanOut: keep only maxFanOut']);
  });

  it("checks the old name's value like the new one's", () => {
    expect(one({ ...ok, maxBatchSize: 12 })).to.deep.equal(['providers.json: provider "ok" (#1): maxFanOut 12 exceeds maxConcurrency 4']);
  });
  it("fills every default in one place", () => {
    const [p] = validateCatalog({ providers: [{ id: "acme", maxConcurrency: 10, worker: chaos }] }).providers;
    expect(p).to.include({
      enabled: true,
      maxFanOut: 10,
      initialFanOut: 10,
      shardCount: 1,
      parallelizationFactor: 1,
      concurrentBatches: 1,
      timezone: "UTC",
      maxAttempts: 3,
      streamRetentionHours: 24,
      longestClosedMinutes: 0,
    });
    expect(p!.controller).to.deep.include({ strategy: "adaptive", decreaseFactor: 0.7 });
    expect(p!.ledger).to.deep.equal({ ttlDays: 7, leaseSeconds: 150, retryBackoffSeconds: 10 });
    expect(p!.worker.settings).to.deep.include({ slowPercentage: 0, errorPercentage: 0 });
  });

  it("derives maxFanOut from the cap shared by shards and parallelization", () => {
    const [p] = validateCatalog({ providers: [{ id: "acme", maxConcurrency: 10, shardCount: 2, parallelizationFactor: 2, worker: chaos }] }).providers;
    expect(p!.maxFanOut).to.equal(2);
    expect(p!.concurrentBatches).to.equal(4);
  });

  it("sizes retention to the longest closed period plus a day", () => {
    const [p] = validateCatalog({
      providers: [{ id: "acme", maxConcurrency: 2, worker: chaos, accessWindows: [{ start: "20:00", end: "06:00" }], maintenanceWindows: [{ day: "sun", start: "01:00", end: "04:00" }] }],
    }).providers;
    // Closed 06:00–20:00 every day (14 h); Sunday's 01:00–04:00 maintenance splits an open night instead.
    expect(p!.longestClosedMinutes).to.equal(14 * 60);
    expect(p!.streamRetentionHours).to.equal(14 + 24);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ["batch larger than the cap", { id: "acme", maxConcurrency: 10, maxFanOut: 12, worker: chaos }, 'providers.json: provider "acme" (#2): maxFanOut 12 exceeds maxConcurrency 10'],
    [
      "shards × parallelization × batch over the cap",
      { id: "acme", maxConcurrency: 10, maxFanOut: 6, parallelizationFactor: 2, worker: chaos },
      'providers.json: provider "acme" (#2): shardCount 1 × parallelizationFactor 2 × maxFanOut 6 = 12 exceeds maxConcurrency 10',
    ],
    ["unknown field", { ...ok, id: "acme", colour: "red" }, 'providers.json: provider "acme" (#2): unknown field "colour"'],
    ["unknown nested field", { ...ok, id: "acme", worker: { module: "chaos", settings: { jitter: 1 } } }, 'providers.json: provider "acme" (#2): unknown field "worker.settings.jitter"'],
    ["unknown time zone", { ...ok, id: "acme", timezone: "Europe/Londn" }, 'providers.json: provider "acme" (#2): timezone "Europe/Londn" is not a known IANA time zone'],
    ["malformed window time", { ...ok, id: "acme", accessWindows: [{ start: "25:00", end: "06:00" }] }, 'providers.json: provider "acme" (#2): accessWindows[0].start "25:00": expected a 24-hour time HH:MM (00:00–23:59)'],
    ["unknown weekday", { ...ok, id: "acme", maintenanceWindows: [{ day: "funday", start: "01:00", end: "02:00" }] }, 'providers.json: provider "acme" (#2): maintenanceWindows[0].day "funday" is not one of'],
    ["empty window", { ...ok, id: "acme", accessWindows: [{ start: "06:00", end: "06:00" }] }, 'providers.json: provider "acme" (#2): accessWindows[0] starts and ends at 06:00: an empty window'],
    [
      "overlapping access windows across midnight",
      { ...ok, id: "acme", accessWindows: [{ start: "20:00", end: "06:00" }, { days: ["tue"], start: "05:00", end: "07:00" }] },
      'providers.json: provider "acme" (#2): accessWindows[0] overlaps accessWindows[1]',
    ],
    [
      "overlapping maintenance windows",
      { ...ok, id: "acme", maintenanceWindows: [{ day: "sun", start: "23:00", end: "02:00" }, { day: "mon", start: "01:00", end: "03:00" }] },
      'providers.json: provider "acme" (#2): maintenanceWindows[0] overlaps maintenanceWindows[1]',
    ],
    [
      "maintenance covering every access window",
      { ...ok, id: "acme", accessWindows: [{ days: ["mon"], start: "10:00", end: "11:00" }], maintenanceWindows: [{ day: "mon", start: "09:00", end: "12:00" }] },
      'providers.json: provider "acme" (#2): maintenanceWindows cover every accessWindow: the provider could never be called',
    ],
    [
      "retention shorter than the closed period",
      { ...ok, id: "acme", streamRetentionHours: 24, accessWindows: [{ days: ["mon"], start: "10:00", end: "11:00" }] },
      'providers.json: provider "acme" (#2): streamRetentionHours 24 is shorter than the longest closed period (167.0 h in real time)',
    ],
    ["latency threshold above the worker timeout", { ...ok, id: "acme", latencyThresholdMs: 90_000, worker: { module: "chaos", timeoutSeconds: 60 } }, 'providers.json: provider "acme" (#2): latencyThresholdMs 90000 must be below worker.timeoutSeconds 60'],
    ["initial above max", { ...ok, id: "acme", maxFanOut: 2, initialFanOut: 3 }, 'providers.json: provider "acme" (#2): initialFanOut 3 exceeds maxFanOut 2'],
    ["bad slug", { ...ok, id: "Acme!" }, 'providers.json: provider "Acme!" (#2): id "Acme!": expected a slug'],
    ["missing cap", { id: "acme", worker: chaos }, 'providers.json: provider "acme" (#2): maxConcurrency is required'],
    ["wrong type", { ...ok, id: "acme", maxConcurrency: "ten" }, 'providers.json: provider "acme" (#2): maxConcurrency must be number, got "ten"'],
    ["unknown worker module", { ...ok, id: "acme", worker: { module: "ftp" } }, 'providers.json: provider "acme" (#2): worker.module "ftp" is not one of "chaos", "http"'],
    ["unknown controller", { ...ok, id: "acme", controller: { strategy: "pid" } }, 'providers.json: provider "acme" (#2): controller.strategy "pid" is not one of "step", "adaptive"'],
    [
      "http worker without https {id} template",
      { ...ok, id: "acme", worker: { module: "http", settings: { urlTemplate: "http://x.example/a", secretId: "s" } } },
      'providers.json: provider "acme" (#2): worker.settings.urlTemplate "http://x.example/a": expected an https URL containing {id}',
    ],
  ];
  for (const [name, provider, expected] of cases) {
    it(`rejects ${name}`, () => {
      const lines = one(provider, { ...ok, id: "first" });
      expect(lines.some((l) => l.startsWith(expected)), `got:\n${lines.join("\n")}`).to.equal(true);
    });
  }

  it("rejects duplicate ids, naming the first", () => {
    expect(problems({ providers: [ok, { ...ok }] })).to.deep.equal(['providers.json: provider "ok" (#2): id "ok" is already used by provider #1']);
  });

  it("names a provider without an id by position", () => {
    expect(problems({ providers: [{ maxConcurrency: 1, worker: chaos }] })).to.deep.equal(["providers.json: provider #1: id is required"]);
  });

  it("reports every problem, one line each", () => {
    const lines = problems({ providers: [{ id: "a1", maxConcurrency: 0, worker: chaos, colour: 1 }, { id: "b2", worker: chaos }] });
    expect(lines).to.have.length(3);
  });

  it("rejects a catalog without providers and unknown top-level fields", () => {
    expect(problems({})).to.deep.equal(["providers.json: providers is required"]);
    expect(problems({ providers: [], extra: 1 })).to.deep.equal(['providers.json: unknown field "extra"']);
  });

  it("round-trips a provider through its Lambda environment form", () => {
    const [p] = validateCatalog({ providers: [{ id: "acme", maxConcurrency: 10, shardCount: 2, worker: chaos, accessWindows: [{ start: "20:00", end: "06:00" }] }] }).providers;
    expect(validateProvider(JSON.parse(serializeProvider(p!)))).to.deep.equal(p);
  });
});

describe("catalog validation: timings that would break the guarantees (finding 6)", () => {
  it("refuses a worker timeout so long that the ventilator could never start a call, in one line", () => {
    expect(one({ ...ok, latencyThresholdMs: 1000, worker: { module: "chaos", timeoutSeconds: 880 } })).to.deep.equal([
      'providers.json: provider "ok" (#1): worker.timeoutSeconds 880 leaves the ventilator no time to start a call: a call needs 880 s + 5 s of margins and the ventilator 30 s of its own within Lambda\'s 900 s; at most 865',
    ]);
    expect(() => validateCatalog({ providers: [{ ...ok, worker: { module: "chaos", timeoutSeconds: 865 } }] })).not.to.throw();
  });

  it("refuses a lease shorter than a worker call can run, in one line", () => {
    expect(one({ ...ok, worker: { module: "chaos", timeoutSeconds: 90 }, ledger: { leaseSeconds: 60 } })).to.deep.equal([
      'providers.json: provider "ok" (#1): ledger.leaseSeconds 60 is shorter than a worker call can run (worker.timeoutSeconds 90 + 5 s Lambda margin + 10 s cold start + 5 s slack = 110 s): a second invocation could claim the record while the first call is still running',
    ]);
    expect(() => validateCatalog({ providers: [{ ...ok, worker: { module: "chaos", timeoutSeconds: 90 }, ledger: { leaseSeconds: 110 } }] })).not.to.throw();
  });

  it("refuses access windows too short for one call to fit before they close", () => {
    expect(one({ ...ok, latencyThresholdMs: 1000, accessWindows: [{ start: "10:00", end: "10:01" }], worker: { module: "chaos", timeoutSeconds: 90 } })).to.deep.equal([
      'providers.json: provider "ok" (#1): accessWindows: the longest open stretch (1 min) is shorter than one worker call can run (110 s): no call could ever start',
    ]);
  });
});
