import { expect } from "chai";
import { resolve } from "node:path";
import { findProvider, loadCatalog } from "../../runtime/catalog";
import { ClockError } from "../../runtime/errors";
import { formatLocal, isCallable, nextClose, nextOpen, windowStatus, type WindowSpec, type WindowStatus } from "../../runtime/windows/clock";
import { access, iso, maintenance, spec, utc } from "./support";

/** A status with its instant as "YYYY-MM-DDTHH:MM" UTC, readable in a table. */
type Expected = { open: true; closesAt: string | null } | { open: false; reason: "outside-window" | "maintenance"; opensAt: string | null };

function readable(s: WindowStatus): Expected {
  return s.open ? { open: true, closesAt: iso(s.closesAt) } : { open: false, reason: s.reason, opensAt: iso(s.opensAt) };
}

const open = (closesAt: string | null): Expected => ({ open: true, closesAt });
const outside = (opensAt: string | null): Expected => ({ open: false, reason: "outside-window", opensAt });
const inMaintenance = (opensAt: string | null): Expected => ({ open: false, reason: "maintenance", opensAt });

interface Row {
  at: string;
  expect: Expected;
  why: string;
}

function table(title: string, s: WindowSpec, rows: Row[]): void {
  describe(title, () => {
    for (const row of rows) {
      it(`${row.at}Z: ${row.why}`, () => {
        expect(readable(windowStatus(s, utc(row.at)))).to.deep.equal(row.expect);
      });
    }
  });
}

describe("windows/clock: windowStatus", () => {
  table("no windows at all", spec("UTC"), [{ at: "2026-05-05T05:05", expect: open(null), why: "always open, never closes" }]);

  // 2026-03-02 is a Monday.
  table("a window crossing midnight, Mondays only (UTC 20:00–06:00)", spec("UTC", [access("20:00", "06:00", ["mon"])]), [
    { at: "2026-03-02T19:59", expect: outside("2026-03-02T20:00"), why: "Monday evening before it opens" },
    { at: "2026-03-02T20:00", expect: open("2026-03-03T06:00"), why: "open at the opening instant, closes Tuesday morning" },
    { at: "2026-03-03T05:59:59.999", expect: open("2026-03-03T06:00"), why: "still open on Tuesday before 06:00" },
    { at: "2026-03-03T06:00", expect: outside("2026-03-09T20:00"), why: "closed at the closing instant, next Monday opens it" },
    { at: "2026-03-03T21:00", expect: outside("2026-03-09T20:00"), why: "Tuesday night is not a start day" },
    { at: "2026-03-02T03:00", expect: outside("2026-03-02T20:00"), why: "Monday early morning belongs to no window (Sunday is not a start day)" },
  ]);

  table("days filter: weekends 10:00–14:00", spec("UTC", [access("10:00", "14:00", ["sat", "sun"])]), [
    { at: "2026-03-06T12:00", expect: outside("2026-03-07T10:00"), why: "Friday noon waits for Saturday" },
    { at: "2026-03-07T12:00", expect: open("2026-03-07T14:00"), why: "Saturday noon is open" },
    { at: "2026-03-07T15:00", expect: outside("2026-03-08T10:00"), why: "Saturday afternoon waits for Sunday" },
    { at: "2026-03-08T15:00", expect: outside("2026-03-14T10:00"), why: "Sunday afternoon waits a week minus a day" },
  ]);

  table(
    "maintenance inside an access window (weekdays 08:00–18:00, Wednesday 12:00–13:00)",
    spec("UTC", [access("08:00", "18:00", ["mon", "tue", "wed", "thu", "fri"])], [maintenance("wed", "12:00", "13:00")]),
    [
      { at: "2026-03-04T11:00", expect: open("2026-03-04T12:00"), why: "closes for maintenance, not at 18:00" },
      { at: "2026-03-04T12:00", expect: inMaintenance("2026-03-04T13:00"), why: "maintenance wins from its first instant" },
      { at: "2026-03-04T12:59:59.999", expect: inMaintenance("2026-03-04T13:00"), why: "reopens when maintenance ends" },
      { at: "2026-03-04T13:00", expect: open("2026-03-04T18:00"), why: "back to the access window's end" },
      { at: "2026-03-05T12:30", expect: open("2026-03-05T18:00"), why: "Thursday has no maintenance" },
    ],
  );

  table("maintenance crossing midnight, always open otherwise (Sunday 23:00–01:00)", spec("UTC", [], [maintenance("sun", "23:00", "01:00")]), [
    { at: "2026-03-08T22:00", expect: open("2026-03-08T23:00"), why: "Sunday evening closes at 23:00" },
    { at: "2026-03-08T23:30", expect: inMaintenance("2026-03-09T01:00"), why: "Sunday night in maintenance" },
    { at: "2026-03-09T00:30", expect: inMaintenance("2026-03-09T01:00"), why: "Monday after midnight is still the Sunday maintenance" },
    { at: "2026-03-09T01:00", expect: open("2026-03-15T23:00"), why: "reopens for the whole week" },
  ]);

  table(
    "maintenance outside access says maintenance and opens with access (nightly 20:00–06:00, Sunday 05:00–21:00)",
    spec("UTC", [access("20:00", "06:00")], [maintenance("sun", "05:00", "21:00")]),
    [
      { at: "2026-03-08T04:00", expect: open("2026-03-08T05:00"), why: "Saturday night cut short by maintenance" },
      { at: "2026-03-08T12:00", expect: inMaintenance("2026-03-08T21:00"), why: "maintenance wins the reason; opens when both allow" },
      { at: "2026-03-08T20:30", expect: inMaintenance("2026-03-08T21:00"), why: "the night window is inside maintenance until 21:00" },
    ],
  );

  table("touching and overlapping windows merge", spec("UTC", [access("20:00", "06:00"), access("05:00", "09:00", ["mon"])]), [
    { at: "2026-03-08T21:00", expect: open("2026-03-09T09:00"), why: "Sunday night runs into Monday's morning window: one close" },
    { at: "2026-03-09T21:00", expect: open("2026-03-10T06:00"), why: "Monday night ends at 06:00" },
  ]);

  table("windows covering the whole week never close", spec("Europe/London", [access("00:00", "12:00"), access("12:00", "00:00")]), [
    { at: "2026-03-29T01:30", expect: open(null), why: "even on a DST day" },
  ]);

  table("maintenance covering all access never opens", spec("UTC", [access("10:00", "11:00", ["tue"])], [maintenance("tue", "09:00", "12:00")]), [
    { at: "2026-03-03T10:30", expect: inMaintenance(null), why: "in maintenance" },
    { at: "2026-03-04T10:30", expect: outside(null), why: "outside access" },
  ]);

  table("a time zone east of UTC (Asia/Kolkata +05:30, 09:00–17:00 weekdays)", spec("Asia/Kolkata", [access("09:00", "17:00", ["mon", "tue", "wed", "thu", "fri"])]), [
    { at: "2026-03-02T03:29", expect: outside("2026-03-02T03:30"), why: "Monday 08:59 IST" },
    { at: "2026-03-06T12:00", expect: outside("2026-03-09T03:30"), why: "Friday 17:30 IST waits for Monday" },
  ]);
});

describe("windows/clock: DST on real dates", () => {
  table("Europe/London spring forward 2026-03-29 (01:00 GMT → 02:00 BST)", spec("Europe/London", [access("20:00", "06:00")]), [
    { at: "2026-03-28T21:00", expect: open("2026-03-29T05:00"), why: "the night is 9 real hours: 06:00 BST" },
    { at: "2026-03-29T18:59", expect: outside("2026-03-29T19:00"), why: "next evening opens at 20:00 BST" },
  ]);
  table("Europe/London: boundaries in the gap move to 02:00 BST", spec("Europe/London", [access("22:00", "01:30", ["sat"]), access("01:30", "04:00", ["sun"])]), [
    { at: "2026-03-28T22:30", expect: open("2026-03-29T03:00"), why: "01:30 close and 01:30 open both land on the transition: they merge" },
  ]);
  table("Europe/London: a close in the gap", spec("Europe/London", [access("22:00", "01:30")]), [
    { at: "2026-03-28T23:00", expect: open("2026-03-29T01:00"), why: "closes at the first instant after the gap (02:00 BST)" },
    { at: "2026-03-29T01:00", expect: outside("2026-03-29T21:00"), why: "closed from the transition; next opens 22:00 BST" },
  ]);
  table("Europe/London fall back 2026-10-25 (02:00 BST → 01:00 GMT)", spec("Europe/London", [access("20:00", "06:00")]), [
    { at: "2026-10-24T19:00", expect: open("2026-10-25T06:00"), why: "opens 20:00 BST, the night is 11 real hours" },
    { at: "2026-10-24T18:59", expect: outside("2026-10-24T19:00"), why: "opens at 20:00 BST" },
  ]);
  table("Europe/London: boundaries in the repeated hour take the first pass", spec("Europe/London", [access("22:00", "01:30"), access("01:30", "01:45", ["sun"])]), [
    { at: "2026-10-24T22:00", expect: open("2026-10-25T00:45"), why: "22:00 BST to 01:45 BST, merged across 01:30 BST" },
    { at: "2026-10-25T01:35", expect: outside("2026-10-25T22:00"), why: "01:35 GMT, the second pass, is after the window" },
  ]);

  table("America/New_York spring forward 2026-03-08 (02:00 EST → 03:00 EDT)", spec("America/New_York", [access("02:30", "04:00")]), [
    { at: "2026-03-08T06:59:59.999", expect: outside("2026-03-08T07:00"), why: "02:30 does not exist: opens at 03:00 EDT" },
    { at: "2026-03-08T07:00", expect: open("2026-03-08T08:00"), why: "one real hour this day" },
    { at: "2026-03-07T07:45", expect: open("2026-03-07T09:00"), why: "the day before, 02:45 EST to 04:00 EST" },
  ]);
  table("America/New_York: maintenance swallowed by the gap", spec("America/New_York", [], [maintenance("sun", "02:00", "02:45")]), [
    { at: "2026-03-08T06:59", expect: open("2026-03-15T06:00"), why: "this Sunday's maintenance does not exist; next Sunday's does" },
    { at: "2026-03-01T07:10", expect: inMaintenance("2026-03-01T07:45"), why: "the Sunday before, as usual" },
  ]);
  table("America/New_York: an access window swallowed by the gap needs the longer scan", spec("America/New_York", [access("02:00", "02:45", ["sun"])]), [
    { at: "2026-03-01T08:00", expect: outside("2026-03-15T06:00"), why: "March 8's window is empty: the next is two weeks on" },
    { at: "2026-03-15T06:30", expect: open("2026-03-15T06:45"), why: "EDT afterwards" },
  ]);
  table("America/New_York fall back 2026-11-01 (02:00 EDT → 01:00 EST)", spec("America/New_York", [access("22:00", "06:00", ["sat"]), access("01:30", "01:45", ["mon"])]), [
    { at: "2026-11-01T02:00", expect: open("2026-11-01T11:00"), why: "22:00 EDT to 06:00 EST: 9 real hours" },
  ]);
  table("America/New_York: the repeated hour", spec("America/New_York", [access("01:30", "01:45")]), [
    { at: "2026-11-01T05:30", expect: open("2026-11-01T05:45"), why: "01:30–01:45 EDT, the first pass" },
    { at: "2026-11-01T06:35", expect: outside("2026-11-02T06:30"), why: "01:35 EST, the second pass, is outside" },
  ]);

  table("Australia/Sydney fall back 2026-04-05 (03:00 AEDT → 02:00 AEST)", spec("Australia/Sydney", [access("02:30", "04:00")]), [
    { at: "2026-04-04T15:00", expect: outside("2026-04-04T15:30"), why: "opens at 02:30 AEDT, the first pass" },
    { at: "2026-04-04T15:30", expect: open("2026-04-04T18:00"), why: "closes at 04:00 AEST: 2.5 real hours" },
    { at: "2026-04-04T18:00", expect: outside("2026-04-05T16:30"), why: "next day 02:30 AEST" },
  ]);
  table("Australia/Sydney spring forward 2026-10-04 (02:00 AEST → 03:00 AEDT)", spec("Australia/Sydney", [access("02:15", "02:45"), access("21:00", "05:30", ["sat"])]), [
    { at: "2026-10-03T11:00", expect: open("2026-10-03T18:30"), why: "Saturday 21:00 AEST to Sunday 05:30 AEDT: 7.5 real hours" },
    { at: "2026-10-03T18:30", expect: outside("2026-10-04T15:15"), why: "Sunday's 02:15–02:45 is in the gap, empty; Monday 02:15 AEDT" },
  ]);
});

describe("windows/clock: the shipped providers.json", () => {
  const catalog = loadCatalog(resolve(__dirname, "../../providers.json"));
  const provider = (id: string) => {
    const p = findProvider(catalog, id);
    if (!p) throw new Error(`providers.json has no ${id}`);
    return p;
  };

  table("demo (no windows)", provider("demo"), [{ at: "2026-11-29T02:00", expect: open(null), why: "always open" }]);

  table("meridian-funds (London 20:00–06:00 nightly, Sunday 01:00–04:00 maintenance)", provider("meridian-funds"), [
    { at: "2026-11-28T12:00", expect: outside("2026-11-28T20:00"), why: "Saturday afternoon" },
    { at: "2026-11-29T00:30", expect: open("2026-11-29T01:00"), why: "Saturday night until maintenance" },
    { at: "2026-11-29T02:00", expect: inMaintenance("2026-11-29T04:00"), why: "Sunday maintenance" },
    { at: "2026-11-29T04:00", expect: open("2026-11-29T06:00"), why: "after maintenance, the rest of the night" },
    { at: "2026-11-30T20:00", expect: open("2026-12-01T06:00"), why: "Monday night" },
    { at: "2026-03-28T23:00", expect: open("2026-03-29T01:00"), why: "maintenance starts at 01:00 local, in the gap: 02:00 BST" },
    { at: "2026-03-29T02:59", expect: inMaintenance("2026-03-29T03:00"), why: "maintenance ends 04:00 BST" },
    { at: "2026-10-25T00:30", expect: inMaintenance("2026-10-25T04:00"), why: "maintenance from 01:00 BST to 04:00 GMT: 4 real hours" },
  ]);

  table("pacific-registry (Sydney weeknights 21:00–05:30, Wednesday 23:00–01:00 maintenance)", provider("pacific-registry"), [
    { at: "2026-07-01T12:00", expect: open("2026-07-01T13:00"), why: "Wednesday 22:00 AEST closes for maintenance" },
    { at: "2026-07-01T14:30", expect: inMaintenance("2026-07-01T15:00"), why: "Thursday 00:30 AEST in maintenance" },
    { at: "2026-07-01T15:00", expect: open("2026-07-01T19:30"), why: "Thursday 01:00 to 05:30 AEST" },
    { at: "2026-07-03T11:00", expect: open("2026-07-03T19:30"), why: "Friday night runs into Saturday morning" },
    { at: "2026-07-04T02:00", expect: outside("2026-07-06T11:00"), why: "Saturday noon waits for Monday 21:00 AEST" },
  ]);

  it("formats the meridian-funds opening for a status view", () => {
    const p = provider("meridian-funds");
    expect(formatLocal(p.timezone, nextOpen(p, utc("2026-11-30T12:00"))!)).to.equal("Mon 2026-11-30 20:00 GMT");
  });
});

describe("windows/clock: isCallable, nextOpen, nextClose", () => {
  const s = spec("UTC", [access("08:00", "18:00")], [maintenance("wed", "12:00", "13:00")]);

  it("nextOpen is the instant itself when open, the opening when closed", () => {
    expect(iso(nextOpen(s, utc("2026-03-04T09:00")))).to.equal("2026-03-04T09:00");
    expect(iso(nextOpen(s, utc("2026-03-04T12:15")))).to.equal("2026-03-04T13:00");
  });

  it("nextClose is the closing when open, the instant itself when closed", () => {
    expect(iso(nextClose(s, utc("2026-03-04T09:00")))).to.equal("2026-03-04T12:00");
    expect(iso(nextClose(s, utc("2026-03-04T19:00")))).to.equal("2026-03-04T19:00");
  });

  it("isCallable follows the half-open boundaries", () => {
    expect(isCallable(s, utc("2026-03-04T07:59:59.999"))).to.equal(false);
    expect(isCallable(s, utc("2026-03-04T08:00"))).to.equal(true);
    expect(isCallable(s, utc("2026-03-04T12:00"))).to.equal(false);
    expect(isCallable(s, utc("2026-03-04T13:00"))).to.equal(true);
  });

  it("nulls mean never", () => {
    expect(nextClose(spec("UTC"), 0)).to.equal(null);
    expect(nextOpen(spec("UTC", [access("10:00", "11:00", ["tue"])], [maintenance("tue", "10:00", "11:00")]), 0)).to.equal(null);
  });

  it("rejects an unknown zone and a non-finite instant, naming the field", () => {
    expect(() => windowStatus(spec("Atlantis/Capital"), 0)).to.throw(ClockError, 'timezone "Atlantis/Capital"');
    expect(() => windowStatus(spec("UTC"), Number.NaN)).to.throw(ClockError, "at NaN");
  });
});
