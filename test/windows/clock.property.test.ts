/**
 * Invariants of the window clock on random windows in zones with and without
 * DST, at instants biased towards 2026's transitions. The oracle checks
 * membership window instance by window instance (no merging, no timeline), with
 * boundaries from zone.ts, itself checked against luxon in zone.test.ts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { WEEKDAYS, type Weekday } from "../../runtime/catalog/schema";
import { isCallable, nextClose, nextOpen, windowStatus, type WindowSpec } from "../../runtime/windows/clock";
import { clockToMinutes, openMask, windowLength } from "../../runtime/windows/weekly";
import { MS_PER_DAY, MS_PER_MINUTE, localDayNumber, providerZone, wallToInstant, weekdayIndex } from "../../runtime/windows/zone";
import { utc } from "./support";

const zones = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham"];
const transitions = [
  "2026-03-29T01:00", "2026-10-25T01:00", "2026-03-08T07:00", "2026-11-01T06:00",
  "2026-04-04T16:00", "2026-10-03T16:00", "2026-04-05T03:00", "2026-09-06T04:00",
].map(utc);

/** Quarter hours, often the ones DST moves. */
const time = fc.oneof(
  fc.constantFrom("00:00", "00:30", "01:00", "01:30", "02:00", "02:15", "02:30", "03:00", "23:00", "23:30"),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`),
);
const days = fc.subarray([...WEEKDAYS], { minLength: 1 });

const windowSpec: fc.Arbitrary<WindowSpec> = fc.record({
  timezone: fc.constantFrom(...zones),
  accessWindows: fc.array(fc.record({ days, start: time, end: time }), { maxLength: 3 }),
  maintenanceWindows: fc.array(fc.record({ day: fc.constantFrom(...WEEKDAYS), start: time, end: time }), { maxLength: 2 }),
});

const instant = fc.oneof(
  fc.integer({ min: utc("2026-01-01T00:00"), max: utc("2027-01-01T00:00") }),
  fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -3 * MS_PER_DAY, max: 3 * MS_PER_DAY })).map(([t, d]) => t + d),
  fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -8 * 4, max: 8 * 4 })).map(([t, q]) => t + q * 15 * MS_PER_MINUTE),
);

/** Whether `at` lies in some instance of the window starting on one of `starts`, boundaries resolved one by one. */
function inWindow(s: WindowSpec, at: number, starts: readonly Weekday[], start: string, end: string): boolean {
  const zone = providerZone(s.timezone);
  const today = localDayNumber(zone, at);
  for (let day = today - 2; day <= today + 1; day++) {
    if (!starts.includes(WEEKDAYS[weekdayIndex(day)]!)) continue;
    const from = day * MS_PER_DAY + clockToMinutes(start) * MS_PER_MINUTE;
    const to = from + windowLength(start, end) * MS_PER_MINUTE;
    if (wallToInstant(zone, from) <= at && at < wallToInstant(zone, to)) return true;
  }
  return false;
}

function oracle(s: WindowSpec, at: number): boolean {
  const inAccess = s.accessWindows.length === 0 || s.accessWindows.some((w) => inWindow(s, at, w.days, w.start, w.end));
  return inAccess && !s.maintenanceWindows.some((w) => inWindow(s, at, [w.day], w.start, w.end));
}

const runs = { numRuns: 250 };

describe("windows/clock: properties", () => {
  it("isCallable agrees with the window-by-window oracle", () => {
    fc.assert(fc.property(windowSpec, instant, (s, at) => {
        expect(isCallable(s, at)).to.equal(oracle(s, at));
      }), { numRuns: 500 });
  });

  it("closesAt is strictly after at; just before it the provider is open, at it closed", () => {
    fc.assert(
      fc.property(windowSpec, instant, (s, at) => {
        const status = windowStatus(s, at);
        if (!status.open || status.closesAt === null) return;
        expect(status.closesAt).to.be.greaterThan(at);
        expect(oracle(s, status.closesAt - 1), "just before closesAt").to.equal(true);
        expect(oracle(s, status.closesAt), "at closesAt").to.equal(false);
      }),
      runs,
    );
  });

  it("opensAt is strictly after at; just before it the provider is closed, at it open", () => {
    fc.assert(
      fc.property(windowSpec, instant, (s, at) => {
        const status = windowStatus(s, at);
        if (status.open || status.opensAt === null) return;
        expect(status.opensAt).to.be.greaterThan(at);
        expect(oracle(s, status.opensAt - 1), "just before opensAt").to.equal(false);
        expect(oracle(s, status.opensAt), "at opensAt").to.equal(true);
      }),
      runs,
    );
  });

  it("nothing changes between at and the boundary the status names", () => {
    fc.assert(
      fc.property(windowSpec, instant, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), (s, at, fractions) => {
        const status = windowStatus(s, at);
        const boundary = status.open ? status.closesAt : status.opensAt;
        const horizon = boundary ?? at + 21 * MS_PER_DAY;
        for (const f of fractions) {
          const t = at + Math.floor(f * (horizon - at - 1));
          expect(oracle(s, t), `at ${new Date(t).toISOString()}`).to.equal(status.open);
        }
      }),
      runs,
    );
  });

  it("nextOpen(at) is callable and nextClose(at) is not, both at or after at", () => {
    fc.assert(
      fc.property(windowSpec, instant, (s, at) => {
        const o = nextOpen(s, at);
        const c = nextClose(s, at);
        if (o !== null) {
          expect(o).to.be.at.least(at);
          expect(isCallable(s, o)).to.equal(true);
        }
        if (c !== null) {
          expect(c).to.be.at.least(at);
          expect(isCallable(s, c)).to.equal(false);
        }
        expect(o === at || c === at, "one of them is now").to.equal(true);
      }),
      runs,
    );
  });

  it("null means the weekly pattern never opens (or never closes)", () => {
    fc.assert(
      fc.property(windowSpec, instant, (s, at) => {
        const mask = openMask(s.accessWindows, s.maintenanceWindows);
        expect(nextOpen(s, at) === null).to.equal(!mask.includes(1));
        expect(nextClose(s, at) === null).to.equal(!mask.includes(0));
      }),
      runs,
    );
  });
});
