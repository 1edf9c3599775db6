import { expect } from "chai";
import { tallyRecords, type RecordCensus } from "../../cli/ledger-census";
import { alignColumns, detailBlock, renderStatus, tableRow, TABLE_COLUMNS } from "../../cli/status-table";
import { buildStatus, type ProviderReading, type ProviderStatus } from "../../cli/status-view";
import { localAndUtc, relative, shortDuration } from "../../cli/time-text";
import type { Provider } from "../../runtime/catalog/provider";
import type { ProviderInput } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { initialState } from "../../runtime/controller";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";

function provider(overrides: Partial<ProviderInput> = {}): Provider {
  return validateProvider({
    id: "meridian",
    maxConcurrency: 8,
    maxFanOut: 4,
    timezone: "Europe/London",
    accessWindows: [{ start: "20:00", end: "06:00" }],
    maintenanceWindows: [{ day: "sun", start: "01:00", end: "04:00" }],
    dailyRequestLimit: 40_000,
    worker: { module: "chaos" },
    ...overrides,
  });
}

const NOON = Date.UTC(2026, 10, 30, 12, 0); // Monday, London closed until 20:00
const RESOURCES = { providerId: "meridian", stream: "sluice-dev-meridian", table: "sluice-dev-meridian-ledger", ventilator: "sluice-dev-meridian-ventilator" };

function reading(p: Provider, patch: Partial<ProviderReading> = {}, controller?: Partial<ControllerState>): ProviderReading {
  const state = { ...initialState(p), limit: 3, mappingBatchSize: 30, ...controller };
  return {
    provider: p,
    resources: RESOURCES,
    mapping: { value: { uuid: "u-1", state: "Enabled", batchSize: 30 } },
    pipeline: { value: { state: { controller: state, pause: null, updatedAt: NOON - 1 }, version: 3 } },
    today: { value: { requests: 1_200, done: 1_100, failed: 40, dead: 2, adHocDone: 7, adHocFailed: 1, adHocDead: 0 } },
    actions: { value: [{ action: "pause", by: "alice", reason: "INC-1", at: NOON - 7_200_000 }] },
    census: null,
    ...patch,
  };
}

describe("status view", () => {
  const p = provider();

  it("brings every reading into one JSON shape, instants in provider time and UTC", () => {
    const s = buildStatus(reading(p, {}, { breaker: { status: BREAKER.OPEN, openedAt: NOON - 60_000, nextProbeAt: NOON + 540_000, trips: 2 } }), NOON);
    expect(s).to.deep.equal({
      id: "meridian",
      enabled: true,
      timezone: "Europe/London",
      strategy: "adaptive",
      deployment: "deployed",
      missing: [],
      errors: [],
      resources: { stream: RESOURCES.stream, table: RESOURCES.table, ventilator: RESOURCES.ventilator },
      mapping: { uuid: "u-1", state: "Enabled", batchSize: 30 },
      controller: { limit: 3, mappingBatchSize: 30, lastGoodLimit: 4, maxFanOut: 4, saved: true },
      breaker: {
        status: "open",
        trips: 2,
        openedAt: { utc: "2026-11-30T11:59:00.000Z", local: "Mon 2026-11-30 11:59 GMT" },
        nextProbeAt: { utc: "2026-11-30T12:09:00.000Z", local: "Mon 2026-11-30 12:09 GMT" },
      },
      pause: null,
      window: { open: false, reason: "outside-window", nextChange: { utc: "2026-11-30T20:00:00.000Z", local: "Mon 2026-11-30 20:00 GMT" } },
      today: { day: "2026-11-30", done: 1_100, failed: 40, dead: 2, adHoc: { done: 7, failed: 1, dead: 0 }, requests: 1_200, dailyRequestLimit: 40_000, dailyUsage: 0.03, records: null },
      recentActions: [{ action: "pause", by: "alice", reason: "INC-1", at: { utc: "2026-11-30T10:00:00.000Z", local: "Mon 2026-11-30 10:00 GMT" } }],
    });
  });

  it("shows a provider with no stream or table as not deployed, without failing", () => {
    const missing = { missing: ["stream sluice-dev-meridian"] };
    const noTable = { missing: ["table sluice-dev-meridian-ledger"] };
    const s = buildStatus(reading(p, { mapping: missing, pipeline: noTable, today: noTable, actions: noTable }), NOON);
    expect(s.deployment).to.equal("not-deployed");
    expect(s.missing).to.deep.equal(["stream sluice-dev-meridian", "table sluice-dev-meridian-ledger"]);
    expect([s.mapping, s.controller, s.breaker, s.today, s.recentActions]).to.deep.equal([null, null, null, null, null]);
    expect(s.window.open).to.equal(false);
  });

  it("shows a pipeline with a table but no mapping as partly deployed", () => {
    const s = buildStatus(reading(p, { mapping: { missing: ["event source mapping x"] } }), NOON);
    expect(s.deployment).to.equal("partly");
    expect(tableRow(s, NOON)[1]).to.equal("partly deployed");
  });

  it("shows a provider the stack outputs do not list as not deployed", () => {
    const none = { missing: ['providers.meridian'] };
    const s = buildStatus({ provider: p, resources: null, mapping: none, pipeline: none, today: none, actions: none, census: null }, NOON);
    expect(s.deployment).to.equal("not-deployed");
    expect(s.resources).to.equal(null);
  });

  it("keeps read errors apart from missing resources", () => {
    const s = buildStatus(reading(p, { today: { error: "reading today's counters failed: cannot reach http://x" } }), NOON);
    expect(s.deployment).to.equal("deployed");
    expect(s.errors).to.deep.equal(["reading today's counters failed: cannot reach http://x"]);
    expect(s.today).to.equal(null);
  });

  it("reports the strategy's initial controller when no batch has run yet (adaptive: its warm-up at half the fan-out)", () => {
    const s = buildStatus(reading(p, { pipeline: { value: null } }), NOON);
    expect(s.controller).to.deep.equal({ limit: 2, mappingBatchSize: 4, lastGoodLimit: 4, maxFanOut: 4, saved: false });
    expect(s.breaker).to.deep.equal({ status: "closed" });
  });

  it("has no daily usage without a daily limit", () => {
    const s = buildStatus(reading(provider({ dailyRequestLimit: undefined })), NOON);
    expect(s.today?.dailyRequestLimit).to.equal(null);
    expect(s.today?.dailyUsage).to.equal(null);
  });

  describe("table", () => {
    const rows: { name: string; status: ProviderStatus; now?: number; cells: Partial<Record<(typeof TABLE_COLUMNS)[number], string>> }[] = [
      {
        name: "a healthy pipeline outside its window",
        status: buildStatus(reading(p), NOON),
        cells: { PROVIDER: "meridian", MAPPING: "Enabled", "MAP BATCH": "30", "FAN-OUT": "3", BREAKER: "closed", PAUSE: "-", WINDOW: "closed, opens in 8h", DONE: "1100", FAILED: "40", DEAD: "2", "IN-FLIGHT": "-", "DAILY LIMIT": "1200/40000 (3.0%)" },
      },
      {
        name: "an open breaker and an operator pause",
        status: buildStatus(
          reading(
            p,
            { pipeline: { value: { state: { controller: { ...initialState(p), breaker: { status: BREAKER.OPEN, openedAt: NOON - 1, nextProbeAt: NOON + 300_000, trips: 1 } }, pause: { reason: "operator", since: NOON - 7_500_000, by: "alice" }, updatedAt: 0 }, version: 1 } } },
          ),
          NOON,
        ),
        cells: { BREAKER: "open, probe in 5m", PAUSE: "operator by alice, 2h 5m ago" },
      },
      {
        name: "a half-open breaker and a window pause",
        status: buildStatus(
          reading(p, { pipeline: { value: { state: { controller: { ...initialState(p), breaker: { status: BREAKER.HALF_OPEN, since: NOON, goodProbes: 1, trips: 1 } }, pause: { reason: "outside-window", since: NOON - 60_000 }, updatedAt: 0 }, version: 1 } } }),
          NOON,
        ),
        cells: { BREAKER: "half-open, 1 good probe(s)", PAUSE: "outside-window, 1m ago" },
      },
      {
        name: "an always-open provider without a daily limit, disabled in the catalog, with --scan",
        status: buildStatus(
          reading(provider({ accessWindows: [], maintenanceWindows: [], dailyRequestLimit: undefined, enabled: false }), {
            census: { value: { scheduled: { inFlight: 3, stalled: 0, landing: 0, done: 1, failed: 0, dead: 0 }, adHoc: { inFlight: 2, stalled: 1, landing: 0, done: 0, failed: 0, dead: 0 }, scanned: 10 } },
          }),
          NOON,
        ),
        cells: { PROVIDER: "meridian (disabled)", WINDOW: "open (always)", "IN-FLIGHT": "5", "DAILY LIMIT": "-" },
      },
      {
        name: "in maintenance",
        status: buildStatus(reading(p), Date.UTC(2026, 10, 29, 2, 0)),
        now: Date.UTC(2026, 10, 29, 2, 0),
        cells: { WINDOW: "maintenance, opens in 2h" },
      },
    ];
    for (const r of rows) {
      it(`row: ${r.name}`, () => {
        const row = tableRow(r.status, r.now ?? NOON);
        const byColumn = Object.fromEntries(TABLE_COLUMNS.map((c, i) => [c, row[i]]));
        for (const [column, text] of Object.entries(r.cells)) expect(byColumn[column], column).to.equal(text);
      });
    }

    it("aligns columns and lists what is missing under the table", () => {
      const text = renderStatus(
        {
          generatedAt: "",
          source: 'stack "dev"',
          providers: [buildStatus(reading(p), NOON), buildStatus(reading(provider({ id: "pacific" }), { mapping: { missing: ["stream s"] }, pipeline: { missing: ["table t"] }, today: { missing: ["table t"] }, actions: { missing: ["table t"] } }), NOON)],
        },
        NOON,
        { details: false, scanned: false },
      );
      const lines = text.split("\n");
      expect(lines[0]).to.match(/^PROVIDER {2}MAPPING {7}MAP BATCH {2}FAN-OUT/);
      expect(lines[1]!.indexOf("Enabled")).to.equal(lines[0]!.indexOf("MAPPING"));
      expect(lines[2]).to.match(/^pacific {3}not deployed {2}- /);
      expect(text).to.include('pacific: not deployed in stack "dev": stream s, table t not found');
      expect(text).to.include("IN-FLIGHT and ad-hoc counts need --scan");
    });

    it("has a detail block with exact instants, counts by origin and the last operator actions", () => {
      const census: RecordCensus = { scheduled: { inFlight: 3, stalled: 1, landing: 0, done: 90, failed: 2, dead: 1 }, adHoc: { inFlight: 0, stalled: 0, landing: 0, done: 10, failed: 0, dead: 0 }, scanned: 500 };
      const s = buildStatus(
        reading(p, { census: { value: census }, pipeline: { value: { state: { controller: initialState(p), pause: { reason: "operator", since: NOON - 60_000, by: "alice", note: "INC-1" }, updatedAt: 0 }, version: 1 } } }),
        NOON,
      );
      expect(detailBlock(s, NOON)).to.deep.equal([
        "meridian — enabled in the catalog, adaptive controller, provider time Europe/London",
        "  resources   stream sluice-dev-meridian, table sluice-dev-meridian-ledger, ventilator sluice-dev-meridian-ventilator",
        "  mapping     Enabled, mapping batch size 30 (uuid u-1)",
        "  controller  fan-out limit 4 of max 4, mapping batch size asked 4, last good limit 4",
        "  breaker     closed",
        "  pause       operator by alice since Mon 2026-11-30 11:59 GMT (2026-11-30T11:59Z) (1m ago): INC-1",
        "  window      closed (outside-window); opens Mon 2026-11-30 20:00 GMT (2026-11-30T20:00Z), in 8h",
        "  today       2026-11-30: 1100 done, 40 failed attempt(s), 2 dead; daily limit 1200/40000 (3.0%)",
        "  ad hoc      7 done, 1 failed attempt(s), 0 dead of the above were requested ad hoc",
        "  scheduled   90 done, 2 failed, 1 dead, 3 in flight, 1 stalled (lease expired)",
        "  ad-hoc      10 done, 0 failed, 0 dead, 0 in flight",
        "  operator    Mon 2026-11-30 10:00 GMT (2026-11-30T10:00Z)  pause by alice: INC-1",
      ]);
    });

    it("pads every column but the last", () => {
      expect(alignColumns([["a", "bb", "c"], ["ccc", "d", "e"]])).to.deep.equal(["a    bb  c", "ccc  d   e"]);
    });
  });
});

describe("time text", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [999, "0s"],
    [45_000, "45s"],
    [60_000, "1m"],
    [61_000, "1m 1s"],
    [7_500_000, "2h 5m"],
    [7_200_000 + 30_000, "2h"],
    [86_400_000 * 3 + 3_600_000 * 4 + 60_000, "3d 4h"],
  ];
  for (const [ms, text] of cases) it(`${ms} ms reads "${text}"`, () => expect(shortDuration(ms)).to.equal(text));

  it("says in or ago", () => {
    expect(relative(NOON + 300_000, NOON)).to.equal("in 5m");
    expect(relative(NOON - 300_000, NOON)).to.equal("5m ago");
  });

  it("gives the provider's local time next to UTC, across DST", () => {
    expect(localAndUtc("America/New_York", Date.UTC(2026, 6, 1, 12, 0))).to.equal("Wed 2026-07-01 08:00 EDT (2026-07-01T12:00Z)");
    expect(localAndUtc("Australia/Sydney", Date.UTC(2026, 10, 30, 12, 0))).to.equal("Mon 2026-11-30 23:00 GMT+11 (2026-11-30T12:00Z)");
  });
});

describe("ledger census", () => {
  it("counts today's records by origin and status; an expired lease is stalled, not in flight", () => {
    const now = 1_000;
    const census = tallyRecords(
      [
        { status: "in-progress", adHoc: false, leaseUntil: 2_000 },
        { status: "in-progress", adHoc: false, leaseUntil: 1_000 },
        { status: "in-progress", adHoc: true, leaseUntil: 999 },
        { status: "in-progress", adHoc: true, leaseUntil: null },
        { status: "done", adHoc: false, leaseUntil: null },
        { status: "done", adHoc: true, leaseUntil: null },
        { status: "failed", adHoc: false, leaseUntil: null },
        { status: "dead", adHoc: true, leaseUntil: null },
        { status: "landing", adHoc: false, leaseUntil: null },
      ],
      now,
      42,
    );
    expect(census).to.deep.equal({
      scheduled: { inFlight: 2, stalled: 0, landing: 1, done: 1, failed: 1, dead: 0 },
      adHoc: { inFlight: 0, stalled: 2, landing: 0, done: 1, failed: 0, dead: 1 },
      scanned: 42,
    });
  });
});
