/**
 * DynamoDB Local is AWS's Java program: without Java 17+ on PATH the engine
 * cannot start, and the launcher's own error would only say that spawning
 * failed. Checked before anything starts, with the one line that fixes it.
 */
import { spawnSync } from "node:child_process";
import { JavaMissingError } from "./errors";

export const MIN_JAVA = 17;

const INSTALL = "install Java 17 or newer (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17; Windows: winget install Microsoft.OpenJDK.17) and run again";

/** The major version in `java -version` output ("17.0.15" → 17, "1.8.0_292" → 8), or null. */
export function javaMajor(versionOutput: string): number | null {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return null;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

export function checkJava(command = "java"): void {
  const result = spawnSync(command, ["-version"], { encoding: "utf8", timeout: 15_000 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new JavaMissingError(`sluice local needs Java for DynamoDB Local, and \`${command}\` ${code === "ENOENT" ? "is not on PATH" : `did not run (${code ?? result.error.message})`}: ${INSTALL}`);
  }
  const major = javaMajor(`${result.stderr ?? ""}\n${result.stdout ?? ""}`);
  if (major !== null && major < MIN_JAVA) {
    throw new JavaMissingError(`sluice local needs Java ${MIN_JAVA}+ for DynamoDB Local, found Java ${major}: ${INSTALL}`);
  }
}
