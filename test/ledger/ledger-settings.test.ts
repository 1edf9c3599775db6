import { expect } from "chai";
import { validateProvider } from "../../runtime/catalog/validate";
import { LedgerInputError } from "../../runtime/ledger/errors";
import { expiresAtFor } from "../../runtime/ledger/expiry";
import { Ledger, ledgerSettings, type LedgerSettings } from "../../runtime/ledger/ledger";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";

const VALID: LedgerSettings = { providerId: "acme", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7 };

describe("ledger settings", () => {
  it("come from the catalog provider, defaults filled by the catalog", () => {
    const provider = validateProvider({ id: "meridian-funds", maxConcurrency: 4, maxAttempts: 4, timezone: "Europe/London", worker: { module: "chaos", timeoutSeconds: 30 }, ledger: { ttlDays: 3 } });
    // leaseSeconds: the catalog's default, worker timeout + 60 s; retryBackoffSeconds: the catalog's default, 10 s.
    expect(ledgerSettings(provider)).to.deep.equal({ providerId: "meridian-funds", maxAttempts: 4, leaseSeconds: 90, ttlDays: 3, timezone: "Europe/London", retryBackoffSeconds: 10 });
  });

  const INVALID: Array<[string, Partial<LedgerSettings>]> = [
    ["settings.providerId", { providerId: "" }],
    ["settings.maxAttempts", { maxAttempts: 0 }],
    ["settings.maxAttempts", { maxAttempts: 2.5 }],
    ["settings.leaseSeconds", { leaseSeconds: 0 }],
    ["settings.ttlDays", { ttlDays: -1 }],
    ["settings.timezone", { timezone: "Mars/Olympus" }],
  ];
  for (const [field, patch] of INVALID) {
    it(`rejects ${field} ${JSON.stringify(Object.values(patch)[0])}, naming the field and the value`, () => {
      expect(() => new Ledger(new MemoryLedgerStore(), { ...VALID, ...patch }))
        .to.throw(LedgerInputError)
        .with.property("field", field);
    });
  }
});

describe("ledger item expiry", () => {
  const CASES: Array<[string, string, number, number]> = [
    // day, zone, ttlDays, expected epoch seconds
    ["2097-01-31", "UTC", 7, Date.UTC(2097, 1, 8) / 1000],
    ["2097-12-31", "UTC", 1, Date.UTC(2098, 0, 2) / 1000],
    ["2096-02-28", "UTC", 0, Date.UTC(2096, 1, 29) / 1000],
    // Tokyo is 9 h ahead: its day ends at 15:00 UTC the day before.
    ["2097-06-01", "Asia/Tokyo", 1, Date.UTC(2097, 5, 2, 15) / 1000],
    // London leaves summer time on 2097-10-27 (last Sunday of October): midnight after the 26th is still BST.
    ["2097-10-26", "Europe/London", 0, Date.UTC(2097, 9, 26, 23) / 1000],
    ["2097-10-27", "Europe/London", 0, Date.UTC(2097, 9, 28, 0) / 1000],
  ];
  for (const [day, zone, ttlDays, expected] of CASES) {
    it(`ends ${day} in ${zone} plus ${ttlDays} day(s) at ${new Date(expected * 1000).toISOString()}`, () => {
      expect(expiresAtFor(day, zone, ttlDays)).to.equal(expected);
    });
  }

  for (const bad of ["2097-02-30", "20970101", "2097-1-1", "", "2097-01-01T00:00"]) {
    it(`rejects the day ${JSON.stringify(bad)}`, () => {
      expect(() => expiresAtFor(bad, "UTC", 1))
        .to.throw(LedgerInputError)
        .with.property("field", "day");
    });
  }
});
