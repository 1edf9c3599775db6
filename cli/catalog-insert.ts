/**
 * Adds a provider to a catalog file's text without reformatting the rest:
 * the entry goes at the end of the top-level "providers" array, indented as
 * JSON.stringify(…, 2) at that depth.
 */
import { ProblemsError } from "../runtime/errors";

/** Index of the `]` closing the top-level "providers" array, by a scan that skips strings. */
function providersEnd(text: string, source: string): number {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | null = null;
  let arrayDepth = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        if (depth === 1) lastKey = JSON.parse(text.slice(stringStart, i + 1)) as string;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === "{" || c === "[") {
      depth++;
      if (c === "[" && depth === 2 && lastKey === "providers" && arrayDepth < 0) arrayDepth = depth;
    } else if (c === "}" || c === "]") {
      if (c === "]" && depth === arrayDepth) return i;
      depth--;
    } else if (c === "," && depth === 1) lastKey = null;
  }
  throw new ProblemsError([`${source}: no top-level "providers" array to add to`]);
}

export function insertProvider(text: string, entry: Record<string, unknown>, source: string): string {
  const end = providersEnd(text, source);
  let before = end - 1;
  while (before >= 0 && /\s/.test(text[before]!)) before--;
  const empty = text[before] === "[";
  const block = JSON.stringify(entry, null, 2)
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `${text.slice(0, before + 1)}${empty ? "" : ","}\n${block}\n  ${text.slice(end)}`;
}
