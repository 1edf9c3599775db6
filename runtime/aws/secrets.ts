/**
 * SecretSource on Secrets Manager GetSecretValue, cached per container for
 * `ttlMs`: a worker container serves many records, and fetching the secret on
 * each would cost a call per record and add its latency to every fetch.
 * Concurrent first reads share one request; a failed read is not cached.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SluiceError } from "../errors";
import { systemClock, type Clock } from "../ventilator/ports";
import type { SecretSource } from "../workers/http/ports";
import { describeError } from "./sdk-errors";

export class SecretError extends SluiceError {
  constructor(
    message: string,
    readonly secretId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SecretsManagerSourceOptions {
  client: SecretsManagerClient;
  /** How long a secret is reused before it is read again (rotation reaches containers within it). @default 300000 */
  ttlMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

export class SecretsManagerSource implements SecretSource {
  private readonly client: SecretsManagerClient;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly cache = new Map<string, { value: Promise<string>; fetchedAt: number }>();
  private fetches = 0;

  constructor(opts: SecretsManagerSourceOptions) {
    const ttl = opts.ttlMs ?? 300_000;
    if (!Number.isFinite(ttl) || ttl < 0) throw new RangeError(`SecretsManagerSource: ttlMs ${ttl} must be a finite number >= 0`);
    this.client = opts.client;
    this.ttlMs = ttl;
    this.clock = opts.clock ?? systemClock;
  }

  /** GetSecretValue requests made so far. */
  get fetchCount(): number {
    return this.fetches;
  }

  getSecret(secretId: string): Promise<string> {
    const now = this.clock.now();
    const hit = this.cache.get(secretId);
    if (hit && now - hit.fetchedAt < this.ttlMs) return hit.value;
    const value = this.fetch(secretId);
    const entry = { value, fetchedAt: now };
    this.cache.set(secretId, entry);
    value.catch(() => {
      if (this.cache.get(secretId) === entry) this.cache.delete(secretId);
    });
    return value;
  }

  private async fetch(secretId: string): Promise<string> {
    this.fetches++;
    let out;
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (err) {
      throw new SecretError(`GetSecretValue "${secretId}" failed: ${describeError(err)}`, secretId, { cause: err });
    }
    if (typeof out.SecretString !== "string" || out.SecretString.length === 0) {
      throw new SecretError(`secret "${secretId}" has no SecretString (binary secrets are not supported)`, secretId);
    }
    return out.SecretString;
  }
}
