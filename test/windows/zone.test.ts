import { expect } from "chai";
import fc from "fast-check";
import { DateTime } from "luxon";
import { ClockError } from "../../runtime/errors";
import {
  MS_PER_DAY,
  MS_PER_MINUTE,
  instantToWall,
  localDayNumber,
  providerZone,
  wallToInstant,
  weekdayIndex,
} from "../../runtime/windows/zone";

/** Wall time "2026-03-29T01:30" (local fields) as ms read as if UTC. */
const wall = (local: string): number => Date.parse(`${local}:00Z`);
const utc = (iso: string): number => Date.parse(`${iso}Z`);

describe("windows/zone: wall clock to instant", () => {
  const table: { zone: string; local: string; instant: string; why: string }[] = [
    { zone: "UTC", local: "2026-06-15T12:34", instant: "2026-06-15T12:34:00", why: "UTC is the identity" },
    { zone: "Europe/London", local: "2026-01-15T09:00", instant: "2026-01-15T09:00:00", why: "GMT in winter" },
    { zone: "Europe/London", local: "2026-07-15T09:00", instant: "2026-07-15T08:00:00", why: "BST in summer" },
    { zone: "Europe/London", local: "2026-03-29T00:59", instant: "2026-03-29T00:59:00", why: "just before the spring gap" },
    { zone: "Europe/London", local: "2026-03-29T01:00", instant: "2026-03-29T01:00:00", why: "gap start moves to the transition" },
    { zone: "Europe/London", local: "2026-03-29T01:30", instant: "2026-03-29T01:00:00", why: "inside the gap moves to the transition" },
    { zone: "Europe/London", local: "2026-03-29T02:00", instant: "2026-03-29T01:00:00", why: "first wall time after the gap is the transition" },
    { zone: "Europe/London", local: "2026-03-29T02:01", instant: "2026-03-29T01:01:00", why: "after the gap, BST" },
    { zone: "Europe/London", local: "2026-10-25T00:59", instant: "2026-10-24T23:59:00", why: "before the overlap, BST" },
    { zone: "Europe/London", local: "2026-10-25T01:00", instant: "2026-10-25T00:00:00", why: "overlap start: first occurrence (BST)" },
    { zone: "Europe/London", local: "2026-10-25T01:30", instant: "2026-10-25T00:30:00", why: "overlap: first occurrence (BST)" },
    { zone: "Europe/London", local: "2026-10-25T02:00", instant: "2026-10-25T02:00:00", why: "after the overlap, GMT" },
    { zone: "America/New_York", local: "2026-03-08T02:30", instant: "2026-03-08T07:00:00", why: "gap 02:00–03:00 EST→EDT" },
    { zone: "America/New_York", local: "2026-03-08T03:00", instant: "2026-03-08T07:00:00", why: "gap end is the transition" },
    { zone: "America/New_York", local: "2026-11-01T01:30", instant: "2026-11-01T05:30:00", why: "overlap: first occurrence (EDT)" },
    { zone: "America/New_York", local: "2026-11-01T02:00", instant: "2026-11-01T07:00:00", why: "after the overlap, EST" },
    { zone: "Australia/Sydney", local: "2026-10-04T02:30", instant: "2026-10-03T16:00:00", why: "gap 02:00–03:00 AEST→AEDT" },
    { zone: "Australia/Sydney", local: "2026-04-05T02:30", instant: "2026-04-04T15:30:00", why: "overlap: first occurrence (AEDT)" },
    { zone: "Australia/Sydney", local: "2026-04-05T03:00", instant: "2026-04-04T17:00:00", why: "after the overlap, AEST" },
    { zone: "America/Santiago", local: "2026-09-06T00:00", instant: "2026-09-06T04:00:00", why: "midnight in a gap: the day starts at 01:00" },
    { zone: "America/Santiago", local: "2026-04-04T23:30", instant: "2026-04-05T02:30:00", why: "overlap before midnight: first occurrence" },
    { zone: "Asia/Kolkata", local: "2026-03-29T01:30", instant: "2026-03-28T20:00:00", why: "half-hour offset, no DST" },
  ];
  for (const row of table) {
    it(`${row.zone} ${row.local} → ${row.instant}Z (${row.why})`, () => {
      expect(new Date(wallToInstant(providerZone(row.zone), wall(row.local))).toISOString()).to.equal(`${row.instant}.000Z`);
    });
  }

  it("resolves a gap to the transition instant exactly, to the millisecond", () => {
    const t = wallToInstant(providerZone("Europe/London"), wall("2026-03-29T01:17"));
    const zone = providerZone("Europe/London");
    expect(zone.offset(t)).to.equal(60);
    expect(zone.offset(t - 1)).to.equal(0);
  });

  const zones = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "America/Santiago", "Pacific/Chatham", "Asia/Kolkata"];
  const year2026 = fc.integer({ min: utc("2026-01-01T00:00:00"), max: utc("2027-01-01T00:00:00") });
  const dstDays = ["2026-03-29", "2026-10-25", "2026-03-08", "2026-11-01", "2026-04-05", "2026-10-04", "2026-09-06", "2026-04-04"];
  /** Quarter-hour wall times, mostly on DST days: every offset and transition of these zones is on a quarter hour. */
  const quarterWall = fc.oneof(
    fc.tuple(fc.constantFrom(...dstDays), fc.integer({ min: -8, max: 4 * 24 + 8 })).map(([d, q]) => Date.parse(`${d}T00:00:00Z`) + q * 15 * MS_PER_MINUTE),
    year2026.map((t) => Math.floor(t / (15 * MS_PER_MINUTE)) * 15 * MS_PER_MINUTE),
  );

  /** Brute force with luxon's instant → local fields: the first quarter-hour instant showing w, else the first after w. */
  function oracle(zoneName: string, w: number): number {
    const shown = (t: number) => {
      const d = DateTime.fromMillis(t, { zone: zoneName });
      return Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute);
    };
    const step = 15 * MS_PER_MINUTE;
    for (let t = w - 15 * 3_600_000; t <= w + 15 * 3_600_000; t += step) if (shown(t) === w) return t;
    for (let t = w - 15 * 3_600_000; t <= w + 15 * 3_600_000; t += step) if (shown(t) > w) return t;
    throw new Error("no instant near the wall time");
  }

  it("agrees with a brute-force scan of luxon's local fields (first occurrence, or first instant after a gap)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), quarterWall, (zoneName, w) => {
        expect(wallToInstant(providerZone(zoneName), w)).to.equal(oracle(zoneName, w));
      }),
      { numRuns: 300 },
    );
  });

  it("is monotone: a later wall time never resolves to an earlier instant", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), quarterWall, fc.integer({ min: 0, max: 6 * 3_600_000 }), (zoneName, w, later) => {
        const zone = providerZone(zoneName);
        expect(wallToInstant(zone, w + later)).to.be.at.least(wallToInstant(zone, w));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips an instant through its wall time, except in the second pass of a fall-back hour", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.oneof(year2026, quarterWall), (zoneName, at) => {
        const zone = providerZone(zoneName);
        const back = wallToInstant(zone, instantToWall(zone, at));
        expect(back).to.be.at.most(at);
        if (back !== at) expect(instantToWall(zone, back)).to.equal(instantToWall(zone, at)); // same wall time, earlier pass
      }),
      { numRuns: 300 },
    );
  });
});

describe("windows/zone: local days", () => {
  it("numbers local days from 1970-01-01 in the provider's zone", () => {
    const at = utc("2026-01-01T23:30:00");
    const jan1 = Date.UTC(2026, 0, 1) / MS_PER_DAY;
    expect(localDayNumber(providerZone("UTC"), at)).to.equal(jan1);
    expect(localDayNumber(providerZone("America/New_York"), at)).to.equal(jan1);
    expect(localDayNumber(providerZone("Australia/Sydney"), at)).to.equal(jan1 + 1);
  });

  it("gives Monday 0 … Sunday 6", () => {
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY;
    expect(weekdayIndex(day("2026-03-02"))).to.equal(0);
    expect(weekdayIndex(day("2026-01-01"))).to.equal(3);
    expect(weekdayIndex(day("2026-03-29"))).to.equal(6);
    expect(weekdayIndex(day("1969-12-29"))).to.equal(0);
  });

  it("rejects an unknown zone naming the field and the value", () => {
    expect(() => providerZone("Mars/Olympus")).to.throw(ClockError, 'timezone "Mars/Olympus" is not a known IANA time zone');
  });
});
