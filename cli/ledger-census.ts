/**
 * Today's records by status and origin, for `sluice status --scan`. The day
 * counters (Ledger.dayStats) hold done / failed / dead but neither what is in
 * flight nor the ad-hoc share, and the ledger's key (record, day) cannot be
 * queried by day: only a Scan of the table can count them. It reads every item
 * (all days kept by the TTL), so it is opt-in and paginated.
 *
 *   in flight = in-progress with leaseUntil ≥ now (a call is running)
 *   stalled   = in-progress with an expired lease (its invocation and worker died mid-call; the next delivery makes it dead, outcome unknown, for a redrive)
 *   landing   = fetched, its landing failed: the body waits in the item and the next delivery lands it
 *
 * `tallyRecords` is the pure part; `scanDay` the DynamoDB adapter for it.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LEDGER_STATUS, type LedgerStatus } from "../runtime/ledger/types";

export interface StatusCounts {
  inFlight: number;
  stalled: number;
  landing: number;
  done: number;
  failed: number;
  dead: number;
}

export interface RecordCensus {
  scheduled: StatusCounts;
  adHoc: StatusCounts;
  /** Items the scan read, every day's included. */
  scanned: number;
}

export interface RecordSummary {
  status: LedgerStatus;
  adHoc: boolean;
  leaseUntil: number | null;
}

export function emptyCounts(): StatusCounts {
  return { inFlight: 0, stalled: 0, landing: 0, done: 0, failed: 0, dead: 0 };
}

export function tallyRecords(records: Iterable<RecordSummary>, now: number, scanned = 0): RecordCensus {
  const census: RecordCensus = { scheduled: emptyCounts(), adHoc: emptyCounts(), scanned };
  for (const r of records) {
    const counts = r.adHoc ? census.adHoc : census.scheduled;
    switch (r.status) {
      case LEDGER_STATUS.IN_PROGRESS:
        if (r.leaseUntil !== null && r.leaseUntil >= now) counts.inFlight++;
        else counts.stalled++;
        break;
      case LEDGER_STATUS.LANDING:
        counts.landing++;
        break;
      case LEDGER_STATUS.DONE:
        counts.done++;
        break;
      case LEDGER_STATUS.FAILED:
        counts.failed++;
        break;
      case LEDGER_STATUS.DEAD:
        counts.dead++;
        break;
    }
  }
  return census;
}

const STATUSES = new Set<string>(Object.values(LEDGER_STATUS));

/** Record items of `day` (the ledger's record items carry `day`; counters, state and audit do not). */
export async function scanDay(client: DynamoDBClient, table: string, day: string, now: number, onPage?: (scanned: number) => void): Promise<RecordCensus> {
  const found: RecordSummary[] = [];
  let scanned = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: "#day = :day",
        ProjectionExpression: "#status, adHoc, leaseUntil",
        ExpressionAttributeNames: { "#day": "day", "#status": "status" },
        ExpressionAttributeValues: { ":day": { S: day } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    scanned += out.ScannedCount ?? 0;
    for (const item of out.Items ?? []) {
      const status = item.status?.S;
      if (!status || !STATUSES.has(status)) continue;
      found.push({ status: status as LedgerStatus, adHoc: item.adHoc?.BOOL === true, leaseUntil: item.leaseUntil?.N !== undefined ? Number(item.leaseUntil.N) : null });
    }
    onPage?.(scanned);
    start = out.LastEvaluatedKey;
  } while (start);
  return tallyRecords(found, now, scanned);
}
