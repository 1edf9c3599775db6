import { expect } from "chai";
import fc from "fast-check";
import { ClockError } from "../../runtime/errors";
import { formatLocal, providerDay } from "../../runtime/windows/clock";
import { MS_PER_DAY, localDayNumber, providerZone, wallToInstant } from "../../runtime/windows/zone";
import { utc } from "./support";

describe("windows/clock: providerDay", () => {
  const table: { zone: string; at: string; day: string; why: string }[] = [
    { zone: "UTC", at: "2026-01-01T23:30", day: "2026-01-01", why: "UTC" },
    { zone: "Australia/Sydney", at: "2026-01-01T23:30", day: "2026-01-02", why: "east of UTC: already tomorrow (10:30 AEDT)" },
    { zone: "America/New_York", at: "2026-01-01T23:30", day: "2026-01-01", why: "west of UTC: still today (18:30 EST)" },
    { zone: "America/New_York", at: "2026-01-02T04:59:59.999", day: "2026-01-01", why: "west of UTC: 23:59 EST is still yesterday" },
    { zone: "America/New_York", at: "2026-01-02T05:00", day: "2026-01-02", why: "west of UTC: midnight EST" },
    { zone: "Australia/Sydney", at: "2026-07-01T13:59:59.999", day: "2026-07-01", why: "23:59:59.999 AEST" },
    { zone: "Australia/Sydney", at: "2026-07-01T14:00", day: "2026-07-02", why: "midnight AEST" },
    { zone: "Asia/Kolkata", at: "2026-07-01T18:29:59.999", day: "2026-07-01", why: "half-hour offset, before midnight" },
    { zone: "Asia/Kolkata", at: "2026-07-01T18:30", day: "2026-07-02", why: "half-hour offset, midnight" },
    { zone: "Europe/London", at: "2026-03-28T23:59:59.999", day: "2026-03-28", why: "spring-forward day starts at midnight GMT" },
    { zone: "Europe/London", at: "2026-03-29T22:59:59.999", day: "2026-03-29", why: "the 23-hour day ends at midnight BST" },
    { zone: "Europe/London", at: "2026-03-29T23:00", day: "2026-03-30", why: "next day from midnight BST" },
    { zone: "Europe/London", at: "2026-10-24T23:00", day: "2026-10-25", why: "fall-back day starts at midnight BST" },
    { zone: "Europe/London", at: "2026-10-25T23:59:59.999", day: "2026-10-25", why: "the 25-hour day ends at midnight GMT" },
    { zone: "America/New_York", at: "2026-03-09T03:59:59.999", day: "2026-03-08", why: "the 23-hour day" },
    { zone: "America/New_York", at: "2026-11-02T04:59:59.999", day: "2026-11-01", why: "the 25-hour day" },
    { zone: "Australia/Sydney", at: "2026-10-04T12:59:59.999", day: "2026-10-04", why: "the 23-hour day ends at midnight AEDT" },
    { zone: "Australia/Sydney", at: "2026-04-04T13:00", day: "2026-04-05", why: "the 25-hour day starts at midnight AEDT" },
    { zone: "America/Santiago", at: "2026-09-06T03:59:59.999", day: "2026-09-05", why: "midnight is skipped" },
    { zone: "America/Santiago", at: "2026-09-06T04:00", day: "2026-09-06", why: "the day starts at 01:00" },
    { zone: "America/Santiago", at: "2026-04-05T03:30", day: "2026-04-04", why: "23:30 of the repeated hour before midnight" },
  ];
  for (const row of table) {
    it(`${row.zone} at ${row.at}Z is ${row.day} (${row.why})`, () => expect(providerDay(row.zone, utc(row.at))).to.equal(row.day));
  }

  const zones = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham"];
  const instant = fc.integer({ min: utc("2025-06-01T00:00"), max: utc("2027-06-01T00:00") });

  it("is stable within a local day and changes at both its ends", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (tz, at) => {
        const zone = providerZone(tz);
        const d = localDayNumber(zone, at);
        const first = wallToInstant(zone, d * MS_PER_DAY);
        const next = wallToInstant(zone, (d + 1) * MS_PER_DAY);
        const day = providerDay(tz, at);
        expect(day).to.equal(new Date(d * MS_PER_DAY).toISOString().slice(0, 10));
        expect(providerDay(tz, first)).to.equal(day);
        expect(providerDay(tz, next - 1)).to.equal(day);
        expect(providerDay(tz, first - 1) < day).to.equal(true);
        expect(providerDay(tz, next) > day).to.equal(true);
        expect(next - first).to.be.within(22 * 3_600_000, 26 * 3_600_000);
      }),
      { numRuns: 300 },
    );
  });

  it("never goes back in time", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, fc.integer({ min: 0, max: 3 * MS_PER_DAY }), (tz, at, later) => {
        expect(providerDay(tz, at + later) >= providerDay(tz, at)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects an unknown zone", () => {
    expect(() => providerDay("Nowhere/Town", 0)).to.throw(ClockError, 'timezone "Nowhere/Town"');
  });
});

describe("windows/clock: formatLocal", () => {
  const table: { zone: string; at: string; text: string }[] = [
    { zone: "Europe/London", at: "2026-11-30T20:00", text: "Mon 2026-11-30 20:00 GMT" },
    { zone: "Europe/London", at: "2026-10-25T00:30", text: "Sun 2026-10-25 01:30 GMT+1" },
    { zone: "Europe/London", at: "2026-10-25T01:30", text: "Sun 2026-10-25 01:30 GMT" },
    { zone: "America/New_York", at: "2026-11-01T05:30", text: "Sun 2026-11-01 01:30 EDT" },
    { zone: "America/New_York", at: "2026-11-01T06:30", text: "Sun 2026-11-01 01:30 EST" },
    { zone: "Australia/Sydney", at: "2026-01-01T23:30", text: "Fri 2026-01-02 10:30 GMT+11" },
    { zone: "UTC", at: "2026-01-01T23:30", text: "Thu 2026-01-01 23:30 UTC" },
  ];
  for (const row of table) {
    it(`${row.zone} at ${row.at}Z reads "${row.text}"`, () => expect(formatLocal(row.zone, utc(row.at))).to.equal(row.text));
  }
});
