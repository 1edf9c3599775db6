/**
 * `sluice status` for people: one row per provider to see at a glance what
 * each pipeline is doing (times relative to now), notes for anything not
 * deployed or unreadable, and, for one provider or with --details, a block
 * with the exact instants in the provider's zone and UTC and the last
 * operator actions. Pure: StatusReport in, text out.
 */
import type { StatusCounts } from "./ledger-census";
import { DEPLOYMENT, type ProviderStatus, type StatusReport } from "./status-view";
import { relative, type InstantJson } from "./time-text";

const at = (i: InstantJson) => Date.parse(i.utc);
const both = (i: InstantJson) => `${i.local} (${i.utc.slice(0, 16)}Z)`;

export const TABLE_COLUMNS = ["PROVIDER", "MAPPING", "MAP BATCH", "FAN-OUT", "BREAKER", "PAUSE", "WINDOW", "DONE", "FAILED", "DEAD", "IN-FLIGHT", "DAILY LIMIT"] as const;

function mappingCell(s: ProviderStatus): string {
  if (s.mapping) return s.mapping.state;
  if (s.deployment === DEPLOYMENT.NOT_DEPLOYED) return "not deployed";
  if (s.missing.length > 0) return "partly deployed";
  return s.errors.length > 0 ? "unreadable" : "-";
}

function breakerCell(s: ProviderStatus, now: number): string {
  const b = s.breaker;
  if (!b) return "-";
  if (b.status === "open") return `open, probe ${relative(at(b.nextProbeAt), now)}`;
  if (b.status === "half-open") return `half-open, ${b.goodProbes} good probe(s)`;
  return "closed";
}

function pauseCell(s: ProviderStatus, now: number): string {
  const p = s.pause;
  if (!p) return "-";
  const since = relative(at(p.since), now);
  return p.reason === "operator" ? `operator by ${p.by ?? "?"}, ${since}` : `${p.reason}, ${since}`;
}

function windowCell(s: ProviderStatus, now: number): string {
  const w = s.window;
  const next = w.nextChange ? relative(at(w.nextChange), now) : null;
  if (w.open) return next ? `open, closes ${next}` : "open (always)";
  const why = w.reason === "maintenance" ? "maintenance" : "closed";
  return next ? `${why}, opens ${next}` : `${why}, never opens`;
}

function inFlight(s: ProviderStatus): string {
  const r = s.today?.records;
  return r ? String(r.scheduled.inFlight + r.adHoc.inFlight) : "-";
}

function dailyCell(s: ProviderStatus): string {
  const t = s.today;
  if (!t || t.dailyRequestLimit === null || t.dailyUsage === null) return "-";
  return `${t.requests}/${t.dailyRequestLimit} (${(t.dailyUsage * 100).toFixed(t.dailyUsage < 0.1 ? 1 : 0)}%)`;
}

export function tableRow(s: ProviderStatus, now: number): string[] {
  const num = (n: number | undefined) => (n === undefined ? "-" : String(n));
  return [
    s.enabled ? s.id : `${s.id} (disabled)`,
    mappingCell(s),
    num(s.mapping?.batchSize),
    num(s.controller?.limit),
    breakerCell(s, now),
    pauseCell(s, now),
    windowCell(s, now),
    num(s.today?.done),
    num(s.today?.failed),
    num(s.today?.dead),
    inFlight(s),
    dailyCell(s),
  ];
}

/** Left-aligned columns two spaces apart; numbers too, so a column reads the same in every terminal. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}

export function notes(s: ProviderStatus, source: string): string[] {
  const out: string[] = [];
  if (s.missing.length > 0) out.push(`${s.id}: ${s.deployment === DEPLOYMENT.NOT_DEPLOYED ? "not" : "partly"} deployed in ${source}: ${s.missing.join(", ")} not found`);
  for (const e of s.errors) out.push(`${s.id}: ${e}`);
  return out;
}

function counts(c: StatusCounts): string {
  return `${c.done} done, ${c.failed} failed, ${c.dead} dead, ${c.inFlight} in flight${c.stalled > 0 ? `, ${c.stalled} stalled (lease expired)` : ""}`;
}

export function detailBlock(s: ProviderStatus, now: number): string[] {
  const lines: string[] = [`${s.id} — ${s.enabled ? "enabled" : "DISABLED"} in the catalog, ${s.strategy} controller, provider time ${s.timezone}`];
  const add = (label: string, text: string) => lines.push(`  ${label.padEnd(10)}  ${text}`);
  if (s.resources) add("resources", `stream ${s.resources.stream}, table ${s.resources.table}, ventilator ${s.resources.ventilator}`);
  add("mapping", s.mapping ? `${s.mapping.state}, mapping batch size ${s.mapping.batchSize} (uuid ${s.mapping.uuid})` : mappingCell(s));
  if (s.controller) {
    add("controller", `fan-out limit ${s.controller.limit} of max ${s.controller.maxFanOut}, mapping batch size asked ${s.controller.mappingBatchSize}, last good limit ${s.controller.lastGoodLimit}${s.controller.saved ? "" : " (initial: no batch has run yet)"}`);
  }
  const b = s.breaker;
  if (b?.status === "open") add("breaker", `OPEN since ${both(b.openedAt)}, trip ${b.trips}; next probe ${both(b.nextProbeAt)}, ${relative(at(b.nextProbeAt), now)}`);
  else if (b?.status === "half-open") add("breaker", `half-open since ${both(b.since)}, ${b.goodProbes} good probe(s), trip ${b.trips}`);
  else if (b) add("breaker", "closed");
  const p = s.pause;
  if (p) add("pause", `${p.reason}${p.by ? ` by ${p.by}` : ""} since ${both(p.since)} (${relative(at(p.since), now)})${p.note ? `: ${p.note}` : ""}`);
  else if (s.controller) add("pause", "none");
  const w = s.window;
  const next = w.nextChange ? `${w.open ? "closes" : "opens"} ${both(w.nextChange)}, ${relative(at(w.nextChange), now)}` : w.open ? "never closes" : "never opens";
  add("window", `${w.open ? "open" : `closed (${w.reason})`}; ${next}`);
  const t = s.today;
  if (t) {
    const daily = t.dailyRequestLimit === null ? "no daily limit" : `daily limit ${dailyCell(s)}`;
    add("today", `${t.day}: ${t.done} done, ${t.failed} failed attempt(s), ${t.dead} dead; ${daily}`);
    add("ad hoc", `${t.adHoc.done} done, ${t.adHoc.failed} failed attempt(s), ${t.adHoc.dead} dead of the above were requested ad hoc`);
    if (t.records) {
      add("scheduled", counts(t.records.scheduled));
      add("ad-hoc", counts(t.records.adHoc));
    }
  }
  if (s.recentActions) {
    if (s.recentActions.length === 0) add("operator", "no actions recorded");
    s.recentActions.forEach((a, i) => add(i === 0 ? "operator" : "", `${both(a.at)}  ${a.action} by ${a.by}${a.reason ? `: ${a.reason}` : ""}`));
  }
  for (const n of notes(s, "this stack")) add("problem", n.replace(`${s.id}: `, ""));
  return lines;
}

export function renderStatus(report: StatusReport, now: number, opts: { details: boolean; scanned: boolean }): string {
  const rows = [TABLE_COLUMNS as readonly string[], ...report.providers.map((s) => tableRow(s, now))];
  const out = alignColumns(rows);
  const problems = report.providers.flatMap((s) => notes(s, report.source));
  if (problems.length > 0) out.push("", ...problems);
  if (!opts.scanned) out.push("", "IN-FLIGHT and ad-hoc counts need --scan (reads the whole ledger table of each provider).");
  if (opts.details) for (const s of report.providers) out.push("", ...detailBlock(s, now));
  return out.join("\n") + "\n";
}
