/**
 * A progress bar on stderr for long work, shown only to a person: when the
 * stream is a terminal and the work is large enough to wait for. Scripts and
 * schedulers (stderr redirected) get nothing but the summary.
 */
import { SingleBar } from "cli-progress";

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export interface ProgressOptions {
  /** What is counted, e.g. "records". */
  unit: string;
  label: string;
  total: number;
  /** Below this total nothing is shown: the work is over before a bar helps. */
  minTotal: number;
  /** false: never (--no-progress). */
  enabled: boolean;
  /** @default process.stderr */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function startProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!opts.enabled || stream.isTTY !== true || opts.total < opts.minTotal) return silent;
  const bar = new SingleBar({
    stream,
    format: `${opts.label} [{bar}] {percentage}% | {value}/{total} ${opts.unit} | ETA {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 20,
  });
  bar.start(opts.total, 0);
  return {
    update: (done) => bar.update(Math.min(done, opts.total)),
    stop: () => bar.stop(),
  };
}
