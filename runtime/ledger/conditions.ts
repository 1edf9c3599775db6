/**
 * Evaluates a store Condition and applies Changes on plain items, with
 * DynamoDB's semantics. The memory adapter is built on it, and it is the
 * reference the DynamoDB adapter is tested against.
 */
import type { AttrValue, Changes, Comparison, Condition, Item } from "./store";

export function matches(item: Item | null, condition: Condition): boolean {
  switch (condition.kind) {
    case "absent":
      return item === null;
    case "present":
      return item !== null;
    case "has":
      return item !== null && item[condition.field] !== undefined;
    case "lacks":
      return item === null || item[condition.field] === undefined;
    case "compare":
      return compare(item?.[condition.field], condition.op, condition.value);
    case "and":
      return condition.of.every((c) => matches(item, c));
    case "or":
      return condition.of.some((c) => matches(item, c));
  }
}

/** A missing attribute or a type mismatch makes every comparison false but `<>`. */
function compare(actual: AttrValue | undefined, op: Comparison, expected: AttrValue): boolean {
  const comparable = actual !== undefined && typeof actual === typeof expected;
  if (op === "<>") return !comparable || actual !== expected;
  if (!comparable) return false;
  if (op === "=") return actual === expected;
  // DynamoDB orders booleans not at all: only = and <> apply to them.
  if (typeof actual === "boolean") return false;
  switch (op) {
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
  }
}

/** The item after `changes`; every right-hand side reads `before`. */
export function applyChanges(before: Item | null, changes: Changes): Item {
  const old = before ?? {};
  const next: Record<string, AttrValue> = { ...old };
  for (const [field, { from, fallback }] of Object.entries(changes.copy ?? {})) next[field] = old[from] ?? fallback;
  for (const [field, value] of Object.entries(changes.setIfMissing ?? {})) next[field] = old[field] ?? value;
  for (const [field, value] of Object.entries(changes.set ?? {})) next[field] = value;
  for (const [field, delta] of Object.entries(changes.add ?? {})) {
    const current = old[field] ?? 0;
    if (typeof current !== "number") throw new TypeError(`cannot add to ${field}: it holds a ${typeof current}`);
    next[field] = current + delta;
  }
  for (const field of changes.remove ?? []) delete next[field];
  return next;
}
