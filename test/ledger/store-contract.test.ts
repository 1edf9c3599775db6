import { expect } from "chai";
import { when, type Condition, type Item, type LedgerStore } from "../../runtime/ledger/store";
import { STORE_KINDS, storeFixture } from "./stores";

const KEY = { pk: "R#x", sk: "D#2024-01-01" };
const STORED: Item = { s: "a", n: 1, b: true };

/** [description, condition, holds on STORED, holds on no item] — DynamoDB Local is the reference. */
const CONDITIONS: Array<[string, Condition, boolean, boolean]> = [
  ["absent", when.absent(), false, true],
  ["present", when.present(), true, false],
  ["has an attribute", when.has("n"), true, false],
  ["has a missing attribute", when.has("x"), false, false],
  ["lacks a missing attribute", when.lacks("x"), true, true],
  ["lacks a present attribute", when.lacks("s"), false, true],
  ["string equal", when.eq("s", "a"), true, false],
  ["string not equal", when.ne("s", "b"), true, true],
  ["missing attribute <> value", when.ne("x", "q"), true, true],
  ["missing attribute < value", when.lt("x", 5), false, false],
  ["number <", when.lt("n", 2), true, false],
  ["number < (equal)", when.lt("n", 1), false, false],
  ["number <=", when.le("n", 1), true, false],
  ["number >=", when.ge("n", 2), false, false],
  ["number = string (type mismatch)", when.eq("n", "1"), false, false],
  ["number <> string (type mismatch)", when.ne("n", "1"), true, true],
  ["boolean =", when.eq("b", true), true, false],
  ["and", when.and(when.eq("s", "a"), when.lt("n", 0)), false, false],
  ["or", when.or(when.absent(), when.eq("n", 1)), true, true],
  ["nested", when.or(when.and(when.eq("s", "z"), when.lt("n", 5)), when.and(when.eq("s", "a"), when.has("b"))), true, false],
];

for (const kind of STORE_KINDS) {
  describe(`ledger store contract (${kind})`, function () {
    const fixture = storeFixture(kind);
    let store: LedgerStore;
    before(async () => {
      store = await fixture.fresh();
    });

    for (const [name, condition, onItem, onNothing] of CONDITIONS) {
      it(`evaluates "${name}" like DynamoDB`, async () => {
        const key = { pk: `C#${name}`, sk: "S" };
        expect((await store.delete(key)).ok).to.equal(true);
        expect((await store.update(key, { set: { touched: 1 } }, condition)).ok, "on no item").to.equal(onNothing);
        await store.put(key, STORED);
        const result = await store.update(key, { set: { touched: 1 } }, condition);
        expect(result.ok, "on the stored item").to.equal(onItem);
        if (!result.ok) expect(result.current).to.deep.equal(STORED);
      });
    }

    it("answers a refused write with the item as it was, or null when there is none", async () => {
      const key = { pk: "refused", sk: "S" };
      expect(await store.update(key, { set: { a: 1 } }, when.present())).to.deep.equal({ ok: false, current: null });
      await store.put(key, { a: 1 });
      expect(await store.put(key, { a: 2 }, when.absent())).to.deep.equal({ ok: false, current: { a: 1 } });
      expect(await store.delete(key, when.eq("a", 2))).to.deep.equal({ ok: false, current: { a: 1 } });
      expect(await store.get(key)).to.deep.equal({ a: 1 });
    });

    it("reads every right-hand side of an update from the item before it", async () => {
      const key = { pk: "changes", sk: "S" };
      await store.put(key, { status: "failed", lease: 5, count: 2, gone: "x", created: 1 });
      const result = await store.update(key, {
        set: { status: "in-progress", lease: 9 },
        copy: { prevStatus: { from: "status", fallback: "none" }, prevLease: { from: "lease", fallback: 0 }, prevMissing: { from: "nothing", fallback: "none" } },
        setIfMissing: { created: 7, fresh: 8 },
        add: { count: 1, started: 3 },
        remove: ["gone"],
      });
      const expected = { status: "in-progress", lease: 9, prevStatus: "failed", prevLease: 5, prevMissing: "none", created: 1, fresh: 8, count: 3, started: 3 };
      expect(result).to.deep.equal({ ok: true, item: expected });
      expect(await store.get(key)).to.deep.equal(expected);
    });

    it("creates the item when an update finds none, adding from zero", async () => {
      const key = { pk: "upsert", sk: "S" };
      expect(await store.update(key, { add: { n: -2 }, set: { s: "v" } })).to.deep.equal({ ok: true, item: { n: -2, s: "v" } });
    });

    it("deletes and answers with the deleted item", async () => {
      const key = { pk: "gone", sk: "S" };
      await store.put(key, { a: "b" });
      expect(await store.delete(key, when.eq("a", "b"))).to.deep.equal({ ok: true, item: { a: "b" } });
      expect(await store.get(key)).to.equal(null);
    });

    it("queries one partition in sort-key order, either way, up to the limit", async () => {
      for (const sk of ["b", "a", "d", "c"]) await store.put({ pk: "Q", sk }, { v: sk });
      await store.put({ pk: "Q2", sk: "a" }, { v: "other partition" });
      const asc = await store.query("Q", { limit: 10 });
      expect(asc.map((i) => i.key.sk)).to.deep.equal(["a", "b", "c", "d"]);
      expect(asc[0]).to.deep.equal({ key: { pk: "Q", sk: "a" }, item: { v: "a" } });
      expect((await store.query("Q", { limit: 3, descending: true })).map((i) => i.item.v)).to.deep.equal(["d", "c", "b"]);
      expect(await store.query("nothing", { limit: 3 })).to.deep.equal([]);
    });
  });
}
