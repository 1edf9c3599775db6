import { expect } from "chai";
import fc from "fast-check";
import { streamRetentionPolicy } from "../../policies/stream-retention";
import { WEEKDAYS, type Weekday } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { CatalogError } from "../../runtime/errors";
import { closedLongerThan, longestClosedStretch } from "../../runtime/windows/closed";
import { at, check, pipeline, provider } from "../policies/harness";
import { access, maintenance, spec, utc } from "./support";

const WEEKDAYS_ONLY: Weekday[] = ["mon", "tue", "wed", "thu", "fri"];
/** Closed Friday 17:00 to Monday 09:00: 64 h on the wall clock. */
const OFFICE_HOURS = [access("09:00", "17:00", WEEKDAYS_ONLY)];
/** Closed Monday 00:00 to Wednesday 00:00 (and a minute every night): no zone's clocks change on a Monday or Tuesday. */
const CLOSED_MON_TUE = [access("00:00", "23:59", ["wed", "thu", "fri", "sat", "sun"])];

function validateProblems(entry: Record<string, unknown>): string[] {
  try {
    validateProvider({ id: "acme", maxConcurrency: 8, worker: { module: "chaos" }, ...entry });
    return [];
  } catch (err) {
    if (err instanceof CatalogError) return err.problems.map((line) => line.replace(/^.*?\(#1\): /, ""));
    throw err;
  }
}

describe("runtime/windows/closed: the longest closed period", () => {
  it("measures real minutes: the weekend the clocks go back lasts the zone's shift longer than the wall clock", () => {
    const from = utc("2026-01-06T12:00");
    const hours = (timezone: string) => longestClosedStretch(spec(timezone, OFFICE_HOURS), from)!.minutes / 60;
    expect(["UTC", "Europe/London", "Australia/Lord_Howe", "Antarctica/Troll"].map(hours)).to.deep.equal([64, 65, 64.5, 66]);
    expect(longestClosedStretch(spec("Europe/London", CLOSED_MON_TUE), from)!.minutes).to.equal(48 * 60 + 1);
  });

  it("never changes the answer by skipping the scan (any windows, any zone, any limit)", () => {
    const zones = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Antarctica/Troll", "Asia/Kolkata"];
    const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30)).map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
    const window = fc.record({ start: hhmm, end: hhmm, days: fc.subarray([...WEEKDAYS], { minLength: 1 }) }).filter((w) => w.start !== w.end);
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.array(window, { maxLength: 2 }), fc.integer({ min: 0, max: 200 * 60 }), (zone, windows, limit) => {
        const s = spec(zone, windows.map((w) => access(w.start, w.end, w.days as Weekday[])), [maintenance("sun", "01:00", "03:00")]);
        const from = utc("2026-01-06T12:00");
        const scan = longestClosedStretch(s, from);
        expect(closedLongerThan(s, limit, from)).to.deep.equal(scan !== null && scan.minutes > limit ? scan : null);
      }),
      { numRuns: 60, seed: 14 },
    );
  });

  describe("the catalog's validation and the stream retention policy agree (one computation)", () => {
    // Before: validation counted the wall clock + 1 h in any zone with DST, so it refused retention the
    // policy accepts (a closure the clocks never change in) and accepted retention the policy refuses (Troll's 2 h shift).
    const cases: { why: string; timezone: string; accessWindows: typeof OFFICE_HOURS; retention: number; refused: string | null }[] = [
      { why: "London's weekend, 65 real hours", timezone: "Europe/London", accessWindows: OFFICE_HOURS, retention: 64, refused: "65.0" },
      { why: "London's weekend, fits", timezone: "Europe/London", accessWindows: OFFICE_HOURS, retention: 65, refused: null },
      { why: "Troll's weekend, 66 real hours (a 2 h shift)", timezone: "Antarctica/Troll", accessWindows: OFFICE_HOURS, retention: 65, refused: "66.0" },
      { why: "Lord Howe's weekend, 64.5 real hours (a 30 min shift)", timezone: "Australia/Lord_Howe", accessWindows: OFFICE_HOURS, retention: 64, refused: "64.5" },
      { why: "closed Monday and Tuesday in London: the clocks never change then", timezone: "Europe/London", accessWindows: CLOSED_MON_TUE, retention: 49, refused: null },
      { why: "UTC has no DST", timezone: "UTC", accessWindows: OFFICE_HOURS, retention: 64, refused: null },
    ];
    for (const c of cases) {
      it(`${c.why}: retention ${c.retention} h ${c.refused ? "refused" : "accepted"} by both`, async () => {
        const entry = { timezone: c.timezone, accessWindows: c.accessWindows };
        const problems = validateProblems({ ...entry, streamRetentionHours: c.retention });
        expect(problems).to.deep.equal(
          c.refused
            ? [`streamRetentionHours ${c.retention} is shorter than the longest closed period (${c.refused} h in real time): queued records would expire before the provider opens`]
            : [],
        );
        const deployed = pipeline(provider({ id: "acme", ...entry }), { stream: { retentionPeriod: c.retention }, mapping: { maximumRecordAgeInSeconds: -1 } });
        const violations = (await check(streamRetentionPolicy(at(new Date().toISOString())), deployed.all)).violations;
        expect(violations.length > 0).to.equal(c.refused !== null);
      });
    }
  });
});
