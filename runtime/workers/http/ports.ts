/**
 * What the contract workers (http, a provider's own) need from the outside world.
 * The Lambda entry wires the AWS adapters (runtime/aws/s3-store, runtime/aws/secrets);
 * tests and local runs wire in-memory or local ones.
 */

/** Where fetched bodies land; the bucket is bound by the adapter. */
export interface ObjectStore {
  /** Stores `body` under `key`. */
  put(key: string, body: string, contentType?: string): Promise<void>;
}

/** Credentials by secret id; implementations may cache. */
export interface SecretSource {
  getSecret(secretId: string): Promise<string>;
}

