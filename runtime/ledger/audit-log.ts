/** Operator actions (pause, resume, redrive, ...), append-only and newest first. */
import { LedgerContentionError, LedgerInputError } from "./errors";
import { auditItem, readAudit } from "./items";
import { AUDIT_PARTITION, auditKey } from "./layout";
import type { LedgerScope } from "./scope";
import { when } from "./store";
import type { OperatorAction } from "./types";

/** Audit entries of one action in the same millisecond get a numeric suffix; past this many something is looping. */
const MAX_AUDIT_DUPLICATES = 100;

export class AuditLog {
  constructor(private readonly scope: LedgerScope) {}

  /** Append-only: never overwrites an earlier action, even one in the same millisecond. */
  async recordOperatorAction(action: OperatorAction): Promise<void> {
    if (!action.action) throw new LedgerInputError("action.action", action.action, "a non-empty action name");
    if (!Number.isFinite(action.at)) throw new LedgerInputError("action.at", action.at, "epoch milliseconds");
    for (let duplicate = 0; duplicate < MAX_AUDIT_DUPLICATES; duplicate++) {
      const key = auditKey(action.at, action.action, duplicate);
      const result = await this.scope.io("recordOperatorAction", () => this.scope.store.put(key, auditItem(action), when.absent()));
      if (result.ok) return;
    }
    throw new LedgerContentionError("recordOperatorAction", new Date(action.at).toISOString(), MAX_AUDIT_DUPLICATES);
  }
  /** Newest first. */
  async listOperatorActions(limit: number): Promise<OperatorAction[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new LedgerInputError("limit", limit, "an integer ≥ 1");
    const items = await this.scope.io("listOperatorActions", () => this.scope.store.query(AUDIT_PARTITION, { limit, descending: true }));
    return items.map(({ key, item }) => readAudit(key, item));
  }}
