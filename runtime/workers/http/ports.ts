/**
 * What the http worker needs from the outside world. The Lambda entry wires
 * the AWS adapters (runtime/aws/s3-store, runtime/aws/secrets) and global
 * fetch; tests wire in-memory ones and a local HTTP server.
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

/** The subset of global fetch the worker uses; redirects are followed by the worker itself. */
export type Fetch = (url: string, init: { method: "GET"; headers: Record<string, string>; signal: AbortSignal; redirect: "manual" }) => Promise<Response>;
