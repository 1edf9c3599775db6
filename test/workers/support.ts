/** In-memory ports of the workers' tests. */
import type { ObjectStore, SecretSource } from "../../runtime/workers/http/ports";

export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, string>();
  failWith: Error | undefined;
  async put(key: string, body: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.objects.set(key, body);
  }
}

export class MemorySecrets implements SecretSource {
  constructor(private readonly values: Record<string, string>) {}
  async getSecret(secretId: string): Promise<string> {
    const v = this.values[secretId];
    if (v === undefined) throw new Error(`secret "${secretId}" not found`);
    return v;
  }
}
