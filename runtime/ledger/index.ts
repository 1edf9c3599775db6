/**
 * The ledger: rules in `Ledger`, storage behind `LedgerStore` (DynamoDB or
 * memory). Code that must stay free of the AWS SDK (the simulator) can import
 * "./ledger", "./memory-store" and "./types" directly.
 */
export * from "./types";
export * from "./errors";
export { Ledger, ledgerSettings, LEASE_EXPIRED_OUTCOME_UNKNOWN, type LedgerSettings } from "./ledger";
export { when, StoreUnavailableError, type AttrValue, type Changes, type Comparison, type Condition, type Item, type ItemKey, type KeyedItem, type LedgerStore, type QueryOptions, type WriteResult } from "./store";
export { MemoryLedgerStore, type AppliedWrite, type MemoryLedgerStoreOptions } from "./memory-store";
export { DynamoDbLedgerStore, type DynamoDbLedgerStoreOptions } from "./dynamodb-store";
export { createLedgerTable, LedgerTableError, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, KEY_TYPE, BILLING_MODE } from "./table";
export { recordKey, dayCountersKey, PIPELINE_KEY, AUDIT_PARTITION } from "./layout";
export { expiresAtFor } from "./expiry";
