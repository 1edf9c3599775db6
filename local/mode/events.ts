/**
 * The moments worth a line in the live view and a marker in the report,
 * read from the ventilator's own log lines: the breaker opening, probing and
 * closing, and the pipeline pausing for or resuming after a window.
 */
import type { TimedLine } from "./provider-run";

export interface NotableEvent {
  atMs: number;
  kind: "breaker-open" | "probe" | "breaker-close" | "paused" | "resumed";
  text: string;
}

export function notableEvent({ atMs, line }: TimedLine): NotableEvent | null {
  if (line.message === "batch") {
    if (line.action === "open-breaker") return { atMs, kind: "breaker-open", text: `breaker opened at fan-out ${String(line.limitUsed)}: mapping disabled` };
    if (line.action === "close") return { atMs, kind: "breaker-close", text: `breaker closed: fan-out limit ${String(line.Limit)}` };
    return null;
  }
  if (line.message === "schedule") {
    if (line.outcome === "probe") return { atMs, kind: "probe", text: "re-arm schedule: half-open probe at mapping batch size 1" };
    if (line.outcome === "paused-for-window") return { atMs, kind: "paused", text: `paused: provider ${String(line.window)}` };
    if (line.outcome === "resumed") return { atMs, kind: "resumed", text: `resumed after ${String(line.pause)}` };
  }
  return null;
}

export function notableEvents(lines: readonly TimedLine[]): NotableEvent[] {
  return lines.map(notableEvent).filter((e): e is NotableEvent => e !== null);
}
