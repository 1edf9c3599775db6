/** The landing store of local runs: objects as files under a directory (.sluice/local-landing/<provider>/<day>/…). */
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { ObjectStore } from "../../runtime/workers/http/ports";

export const LOCAL_LANDING_DIR = path.join(".sluice", "local-landing");

export class FileObjectStore implements ObjectStore {
  constructor(readonly dir: string = LOCAL_LANDING_DIR) {}

  async put(key: string, body: string): Promise<void> {
    const file = path.resolve(this.dir, ...key.split("/"));
    if (!file.startsWith(path.resolve(this.dir) + path.sep)) throw new RangeError(`landing key ${JSON.stringify(key)} leaves ${this.dir}`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  }
}
