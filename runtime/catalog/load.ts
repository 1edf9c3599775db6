/** Reads a catalog file; every failure becomes a CatalogError naming the file. */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { CatalogError } from "../errors";
import type { Catalog } from "./provider";
import { validateCatalog } from "./validate";

export const DEFAULT_CATALOG = "providers.json";

/** Offset → 1-based line and column. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Parses JSON, reporting the line and column of a syntax error. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const lc = /line (\d+) column (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const at = lc
      ? { line: Number(lc[1]), column: Number(lc[2]) }
      : lineColumn(text, pos ? Number(pos[1]) : text.length);
    const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, "").replace(/\s*\(line \d+ column \d+\)/, "");
    throw new CatalogError([`${source}: invalid JSON at line ${at.line}, column ${at.column}: ${reason}`]);
  }
}

export function readCatalogText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file" : e.code === "EISDIR" ? "is a directory" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new CatalogError([`${basename(path)}: cannot read ${path}: ${why}`]);
  }
}

export function loadCatalog(path = DEFAULT_CATALOG): Catalog {
  const source = basename(path);
  return validateCatalog(parseJson(readCatalogText(path), source), source);
}
