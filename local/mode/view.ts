/**
 * The live terminal view: one line per provider (mapping batch size, fan-out
 * limit, in flight, done / failed / dead with a progress bar, breaker, window) under a
 * header, redrawn in place on a TTY (cli-progress MultiBar) and printed as
 * plain periodic lines otherwise. Events (scenario steps, breaker, windows)
 * are printed above the bars as they happen.
 */
import { MultiBar, type GenericFormatter } from "cli-progress";
import { formatElapsed, formatSpan } from "./duration";
import type { ProviderSnapshot } from "./provider-run";

export interface ViewRow {
  id: string;
  snapshot: ProviderSnapshot;
  finished: boolean;
}

export interface View {
  update(elapsedMs: number, rows: readonly ViewRow[]): void;
  event(elapsedMs: number, id: string | null, text: string): void;
  stop(): void;
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 20;

export function progressBar(done: number, dead: number, total: number, width = BAR_WIDTH): string {
  if (total <= 0) return "░".repeat(width);
  const d = Math.round((done / total) * width);
  const x = Math.min(width - d, Math.round((dead / total) * width));
  return "█".repeat(d) + "▒".repeat(x) + "░".repeat(width - d - x);
}

export function breakerText(s: ProviderSnapshot): string {
  if (s.breaker === "open") return `breaker OPEN${s.probeInMs === null ? "" : ` (probe in ${formatSpan(s.probeInMs)})`}`;
  return `breaker ${s.breaker}`;
}

export function windowText(s: ProviderSnapshot): string {
  if (s.window.open) return s.pause === null ? "window open" : `paused (${s.pause})`;
  const why = s.window.reason === "maintenance" ? "maintenance" : "closed";
  return `window ${why}${s.window.opensInMs === null ? "" : `, opens in ${formatSpan(s.window.opensInMs)}`}`;
}

/** One provider's line; `idWidth` aligns the columns; `barWidth` 0 draws no bar. */
export function providerLine(row: ViewRow, idWidth: number, barWidth: number): string {
  const s = row.snapshot;
  const counts = `${String(s.done).padStart(String(s.enqueued).length)}/${s.enqueued} done  dead ${s.dead}  failed ${s.failed}`;
  const batch = `mapping batch ${String(s.batchSize).padStart(2)}${s.mappingState === "Enabled" ? "" : ` (${s.mappingState.toLowerCase()})`}  fan-out ${String(s.limit).padStart(2)}  in flight ${String(s.inFlight).padStart(2)}`;
  const head = `${row.id.padEnd(idWidth)}  ${barWidth > 0 ? `${progressBar(s.done, s.dead, s.enqueued, barWidth)} ` : ""}${counts}`;
  return `${head} │ ${batch} │ ${breakerText(s)} │ ${windowText(s)}${row.finished ? " │ finished" : ""}`;
}

export function headerLine(elapsedMs: number, title: string): string {
  return `sluice local · ${formatElapsed(elapsedMs)} · ${title}`;
}

/** Redrawn in place on a terminal. */
export class TtyView implements View {
  private readonly bars: MultiBar;
  private readonly header;
  private readonly rows = new Map<string, ReturnType<MultiBar["create"]>>();
  private idWidth = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly title: string,
  ) {
    const format: GenericFormatter = (_options, _params, payload: { text?: string }) => payload.text ?? "";
    this.bars = new MultiBar({ stream: out, format, hideCursor: true, linewrap: false, clearOnComplete: false, fps: 5, autopadding: false });
    this.header = this.bars.create(1, 0, { text: headerLine(0, title) });
  }

  update(elapsedMs: number, rows: readonly ViewRow[]): void {
    this.idWidth = Math.max(this.idWidth, ...rows.map((r) => r.id.length));
    this.header.update(0, { text: headerLine(elapsedMs, this.title) });
    for (const row of rows) {
      let bar = this.rows.get(row.id);
      if (!bar) {
        bar = this.bars.create(1, 0, { text: "" });
        this.rows.set(row.id, bar);
      }
      // Lines past the terminal's width are cut (no wrapping while redrawing): narrow terminals get a short bar.
      bar.update(0, { text: providerLine(row, this.idWidth, ((this.out as { columns?: number }).columns ?? 0) >= 150 ? BAR_WIDTH : BAR_WIDTH / 2) });
    }
  }

  event(elapsedMs: number, id: string | null, text: string): void {
    this.bars.log(`[${formatElapsed(elapsedMs)}] ${id ? `${id}: ` : ""}${text}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}

/** Periodic plain lines, for logs and pipes. */
export class PlainView implements View {
  private lastPrint = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly out: Output,
    private readonly everyMs: number,
  ) {}

  update(elapsedMs: number, rows: readonly ViewRow[]): void {
    if (elapsedMs - this.lastPrint < this.everyMs) return;
    this.lastPrint = elapsedMs;
    const width = Math.max(...rows.map((r) => r.id.length));
    for (const row of rows) this.out.write(`[${formatElapsed(elapsedMs)}] ${providerLine(row, width, 0)}\n`);
  }

  event(elapsedMs: number, id: string | null, text: string): void {
    this.out.write(`[${formatElapsed(elapsedMs)}] ${id ? `${id}: ` : ""}${text}\n`);
  }

  stop(): void {}
}

export class SilentView implements View {
  update(): void {}
  event(): void {}
  stop(): void {}
}
