/**
 * The ledger store on DynamoDB (SDK v3, low-level client). It only translates:
 * Conditions to condition expressions, Changes to update expressions,
 * refused conditions (ReturnValuesOnConditionCheckFailure=ALL_OLD) to
 * `{ ok: false, current }`, and every other SDK error to StoreUnavailableError.
 * No SDK type leaves this file except the client handed in.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { ledgerDynamoClient } from "../aws/clients";
import { PARTITION_KEY, SORT_KEY } from "./layout";
import { StoreUnavailableError, type AttrValue, type Changes, type Condition, type Item, type ItemKey, type KeyedItem, type LedgerStore, type QueryOptions, type StoreOperation, type WriteResult } from "./store";

export interface DynamoDbLedgerStoreOptions {
  tableName: string;
  /** @default ledgerDynamoClient() (endpoint from AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL; the SDK retries throttling only) */
  client?: DynamoDBClient;
}

type Attributes = Record<string, AttributeValue>;

export class DynamoDbLedgerStore implements LedgerStore {
  readonly tableName: string;
  private readonly client: DynamoDBClient;

  constructor(options: DynamoDbLedgerStoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? ledgerDynamoClient();
  }

  async get(key: ItemKey): Promise<Item | null> {
    const out = await this.call("get", key, () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: keyAttributes(key), ConsistentRead: true })));
    return out.Item ? fromAttributes(out.Item) : null;
  }

  async put(key: ItemKey, item: Item, condition?: Condition): Promise<WriteResult> {
    const names = new Expression();
    const conditionExpression = condition && names.condition(condition);
    return this.write("put", key, async () => {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...toAttributes(item), ...keyAttributes(key) },
          ...names.params(conditionExpression),
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { ...item };
    });
  }

  async update(key: ItemKey, changes: Changes, condition?: Condition): Promise<WriteResult> {
    const names = new Expression();
    const updateExpression = names.update(changes);
    const conditionExpression = condition && names.condition(condition);
    return this.write("update", key, async () => {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyAttributes(key),
          UpdateExpression: updateExpression,
          ...names.params(conditionExpression),
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return fromAttributes(out.Attributes ?? {});
    });
  }

  async delete(key: ItemKey, condition?: Condition): Promise<WriteResult> {
    const names = new Expression();
    const conditionExpression = condition && names.condition(condition);
    return this.write("delete", key, async () => {
      const out = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyAttributes(key),
          ...names.params(conditionExpression),
          ReturnValues: "ALL_OLD",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return fromAttributes(out.Attributes ?? {});
    });
  }

  async query(pk: string, { limit, descending = false }: QueryOptions): Promise<KeyedItem[]> {
    const items: KeyedItem[] = [];
    let start: Attributes | undefined;
    // Limit caps one page; a page also stops at 1 MB, so keep reading until `limit` items or the end.
    do {
      const out = await this.call("query", null, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "#pk = :pk",
            ExpressionAttributeNames: { "#pk": PARTITION_KEY },
            ExpressionAttributeValues: { ":pk": { S: pk } },
            ScanIndexForward: !descending,
            Limit: limit - items.length,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(out.Items ?? []).map((attributes) => ({ key: { pk, sk: attributes[SORT_KEY]?.S ?? "" }, item: fromAttributes(attributes) })));
      start = out.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items;
  }

  private async write(operation: StoreOperation, key: ItemKey, send: () => Promise<Item>): Promise<WriteResult> {
    try {
      return { ok: true, item: await send() };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { ok: false, current: error.Item ? fromAttributes(error.Item) : null };
      throw unavailable(operation, key, error);
    }
  }

  private async call<T>(operation: StoreOperation, key: ItemKey | null, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw unavailable(operation, key, error);
    }
  }
}

function unavailable(operation: StoreOperation, key: ItemKey | null, error: unknown): StoreUnavailableError {
  const e = error as { name?: string; message?: string };
  return new StoreUnavailableError(operation, key, `${e.name ?? "Error"}: ${e.message ?? String(error)}`, { cause: error });
}

/** Placeholders for one request: every attribute name and value goes through one, so no reserved word bites. */
class Expression {
  private readonly names: Record<string, string> = {};
  private readonly values: Attributes = {};

  name(field: string): string {
    const existing = Object.entries(this.names).find(([, f]) => f === field)?.[0];
    if (existing) return existing;
    const placeholder = `#n${Object.keys(this.names).length}`;
    this.names[placeholder] = field;
    return placeholder;
  }

  value(v: AttrValue): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = toAttribute(v);
    return placeholder;
  }

  condition(c: Condition): string {
    switch (c.kind) {
      case "absent":
        return `attribute_not_exists(${this.name(PARTITION_KEY)})`;
      case "present":
        return `attribute_exists(${this.name(PARTITION_KEY)})`;
      case "has":
        return `attribute_exists(${this.name(c.field)})`;
      case "lacks":
        return `attribute_not_exists(${this.name(c.field)})`;
      case "compare":
        return `${this.name(c.field)} ${c.op} ${this.value(c.value)}`;
      case "and":
      case "or": {
        // An empty AND holds, an empty OR does not; the expression language has no literals for either.
        if (c.of.length === 0) return this.condition(c.kind === "and" ? { kind: "or", of: [{ kind: "present" }, { kind: "absent" }] } : { kind: "and", of: [{ kind: "present" }, { kind: "absent" }] });
        return `(${c.of.map((x) => this.condition(x)).join(c.kind === "and" ? " AND " : " OR ")})`;
      }
    }
  }

  update(changes: Changes): string {
    const set = [
      ...Object.entries(changes.set ?? {}).map(([f, v]) => `${this.name(f)} = ${this.value(v)}`),
      ...Object.entries(changes.setIfMissing ?? {}).map(([f, v]) => `${this.name(f)} = if_not_exists(${this.name(f)}, ${this.value(v)})`),
      ...Object.entries(changes.copy ?? {}).map(([f, { from, fallback }]) => `${this.name(f)} = if_not_exists(${this.name(from)}, ${this.value(fallback)})`),
    ];
    const add = Object.entries(changes.add ?? {}).map(([f, n]) => `${this.name(f)} ${this.value(n)}`);
    const remove = (changes.remove ?? []).map((f) => this.name(f));
    const clauses = [set.length ? `SET ${set.join(", ")}` : "", add.length ? `ADD ${add.join(", ")}` : "", remove.length ? `REMOVE ${remove.join(", ")}` : ""];
    const expression = clauses.filter(Boolean).join(" ");
    if (!expression) throw new TypeError("an update needs at least one change");
    return expression;
  }

  params(conditionExpression: string | undefined) {
    return {
      ...(conditionExpression ? { ConditionExpression: conditionExpression } : {}),
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

function keyAttributes(key: ItemKey): Attributes {
  return { [PARTITION_KEY]: { S: key.pk }, [SORT_KEY]: { S: key.sk } };
}

function toAttribute(v: AttrValue): AttributeValue {
  if (typeof v === "string") return { S: v };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`DynamoDB cannot store the number ${v}`);
    return { N: String(v) };
  }
  return { BOOL: v };
}

function toAttributes(item: Item): Attributes {
  return Object.fromEntries(Object.entries(item).map(([f, v]) => [f, toAttribute(v)]));
}

/** Key attributes are dropped (callers know the key); attribute types the ledger never writes are skipped. */
function fromAttributes(attributes: Attributes): Item {
  const item: Record<string, AttrValue> = {};
  for (const [field, value] of Object.entries(attributes)) {
    if (field === PARTITION_KEY || field === SORT_KEY) continue;
    if (value.S !== undefined) item[field] = value.S;
    else if (value.N !== undefined) item[field] = Number(value.N);
    else if (value.BOOL !== undefined) item[field] = value.BOOL;
  }
  return item;
}
