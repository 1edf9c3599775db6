/**
 * The inline SVG chart both HTML reports draw (the simulator's and local
 * mode's): time on x; step, straight or dotted series, stacked bars, shaded
 * bands, vertical markers and horizontal guides; linear or log y; an HTML
 * legend under the plot. No scripts, fonts or external assets: a report opens
 * from a file anywhere.
 *
 *   linear y: px = top + h − (v − yMin) / (yMax − yMin) · h
 *   log y:    px = top + h − (log v − log yMin) / (log yMax − log yMin) · h
 */
import { escapeXml } from "./html-page";

export interface Series {
  label: string;
  color: string;
  /** [x, y] in data units, x ascending. */
  points: readonly (readonly [number, number])[];
  /** Hold each value until the next point (a setting), instead of joining points. */
  step?: boolean;
  dashed?: boolean;
  /** Draw points only. */
  dots?: boolean;
}

export interface Band {
  from: number;
  to: number;
  color: string;
  label: string;
}

export interface Marker {
  at: number;
  label: string;
}

export interface Guide {
  y: number;
  label: string;
  color: string;
}

export interface StackedBars {
  keys: readonly { label: string; color: string }[];
  /** values[i] belongs to keys[i]. */
  buckets: readonly { from: number; to: number; values: readonly number[] }[];
}

/** How the x axis reads: its label, where its ticks go and how they print. */
export interface TimeAxis {
  label: string;
  ticks: (max: number) => number[];
  format: (x: number) => string;
}

export interface TimeChart {
  title: string;
  /** x runs from 0 to xMax, in the axis's units. */
  xMax: number;
  axis: TimeAxis;
  yLabel: string;
  /** @default the largest value drawn (series, bar totals, guides) × 1.08, at least 1 */
  yMax?: number;
  /** @default 0; with logY the smallest positive value drawn, at least 1 */
  yMin?: number;
  logY?: boolean;
  series?: readonly Series[];
  bars?: StackedBars;
  bands?: readonly Band[];
  markers?: readonly Marker[];
  guides?: readonly Guide[];
}

const W = 860;
const H = 240;
const M = { left: 52, right: 16, top: 28, bottom: 34 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** About `count` round values from 0 to max (1, 2 or 5 × 10^k apart). */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Powers of ten from the one at or below min up to max, those ≥ min. */
export function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let v = 10 ** Math.floor(Math.log10(min)); v <= max; v *= 10) if (v >= min) out.push(v);
  return out;
}

export const formatNumber = (v: number): string => (Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

/** x in wall seconds. */
export const WALL_SECONDS: TimeAxis = { label: "wall seconds", ticks: (max) => ticks(max, 8), format: formatNumber };

/** x in elapsed milliseconds, printed h:mm, ticks on round minutes (at most 12). */
export const ELAPSED_HOURS: TimeAxis = {
  label: "elapsed (h:mm)",
  ticks: (max) => {
    const minutes = max / 60_000;
    const stepMin = [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440].find((m) => minutes / m <= 12) ?? 2880;
    const out: number[] = [];
    for (let t = 0; t <= max; t += stepMin * 60_000) out.push(t);
    return out;
  },
  format: (ms) => {
    const minutes = Math.round(ms / 60_000);
    return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
  },
};

function yDomain(c: TimeChart): { yMin: number; yMax: number } {
  const values = [...(c.series ?? []).flatMap((s) => s.points.map((p) => p[1])), ...(c.guides ?? []).map((g) => g.y), ...(c.bars?.buckets ?? []).map((b) => b.values.reduce((n, v) => n + v, 0))].filter(Number.isFinite);
  const top = c.yMax ?? Math.max(1, ...values) * 1.08;
  if (!c.logY) return { yMin: c.yMin ?? 0, yMax: top };
  const yMin = Math.max(1, c.yMin ?? Math.min(...values.filter((v) => v > 0), 10));
  return { yMin, yMax: Math.max(yMin * 10, top) };
}

function legend(items: readonly { label: string; color: string; dashed?: boolean }[]): string {
  const parts = items.map(
    (i) => `<span class="key"><svg width="18" height="8"><line x1="0" y1="4" x2="18" y2="4" stroke="${i.color}" stroke-width="3"${i.dashed ? ' stroke-dasharray="4 3"' : ""}/></svg>${escapeXml(i.label)}</span>`,
  );
  return `<div class="legend">${parts.join(" ")}</div>`;
}

function uniqueBands(bands: readonly Band[]): { label: string; color: string }[] {
  const seen = new Map<string, string>();
  for (const b of bands) if (!seen.has(b.label)) seen.set(b.label, b.color);
  return [...seen].map(([label, color]) => ({ label, color }));
}

const px = (v: number) => v.toFixed(1);

export function timeChart(c: TimeChart): string {
  const xMax = Math.max(c.xMax, 1e-9);
  const { yMin, yMax } = yDomain(c);
  const clampY = (v: number) => Math.min(Math.max(v, yMin), yMax);
  const x = (v: number) => M.left + (Math.min(Math.max(v, 0), xMax) / xMax) * PW;
  const y = c.logY
    ? (v: number) => M.top + PH - ((Math.log10(clampY(v)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * PH
    : (v: number) => M.top + PH - ((clampY(v) - yMin) / (yMax - yMin)) * PH;

  const out: string[] = [];
  for (const b of c.bands ?? []) {
    out.push(`<rect x="${px(x(b.from))}" y="${M.top}" width="${px(Math.max(1, x(b.to) - x(b.from)))}" height="${PH}" fill="${b.color}" opacity="0.18"><title>${escapeXml(b.label)}</title></rect>`);
  }
  const yTicks = c.logY ? decades(yMin, yMax) : ticks(yMax - yMin, 4).map((v) => v + yMin);
  for (const v of yTicks) {
    out.push(`<line x1="${M.left}" y1="${px(y(v))}" x2="${M.left + PW}" y2="${px(y(v))}" stroke="#eee"/><text x="${M.left - 6}" y="${px(y(v) + 4)}" text-anchor="end">${formatNumber(v)}</text>`);
  }
  for (const b of c.bars?.buckets ?? []) {
    let base = 0;
    b.values.forEach((v, i) => {
      if (!(v > 0)) return;
      const key = c.bars!.keys[i]!;
      const top = y(base + v);
      out.push(`<rect x="${px(x(b.from) + 0.5)}" y="${px(top)}" width="${px(Math.max(1, x(b.to) - x(b.from) - 1))}" height="${px(y(base) - top)}" fill="${key.color}"><title>${escapeXml(`${key.label}: ${v}`)}</title></rect>`);
      base += v;
    });
  }
  for (const g of c.guides ?? []) {
    out.push(`<line x1="${M.left}" y1="${px(y(g.y))}" x2="${M.left + PW}" y2="${px(y(g.y))}" stroke="${g.color}" stroke-dasharray="2 3"/><text x="${M.left + PW - 2}" y="${px(y(g.y) - 3)}" text-anchor="end" fill="${g.color}">${escapeXml(g.label)}</text>`);
  }
  for (const s of c.series ?? []) {
    if (s.points.length === 0) continue;
    if (s.dots) {
      out.push(s.points.map(([px0, py]) => `<circle cx="${px(x(px0))}" cy="${px(y(py))}" r="2" fill="${s.color}"/>`).join(""));
      continue;
    }
    const coords: string[] = [];
    s.points.forEach(([px0, py], i) => {
      if (s.step && i > 0) coords.push(`${px(x(px0))},${px(y(s.points[i - 1]![1]))}`);
      coords.push(`${px(x(px0))},${px(y(py))}`);
    });
    if (s.step) coords.push(`${px(x(xMax))},${px(y(s.points.at(-1)![1]))}`);
    out.push(`<polyline points="${coords.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ""}><title>${escapeXml(s.label)}</title></polyline>`);
  }
  (c.markers ?? []).forEach((m, i) => {
    out.push(`<line x1="${px(x(m.at))}" y1="${M.top}" x2="${px(x(m.at))}" y2="${M.top + PH}" stroke="#555" stroke-dasharray="3 3"/><text x="${px(x(m.at) + 3)}" y="${M.top + 10 + (i % 3) * 11}" fill="#555">${escapeXml(m.label)}</text>`);
  });
  for (const v of c.axis.ticks(xMax)) {
    out.push(`<line x1="${px(x(v))}" y1="${M.top + PH}" x2="${px(x(v))}" y2="${M.top + PH + 4}" stroke="#999"/><text x="${px(x(v))}" y="${M.top + PH + 16}" text-anchor="middle">${escapeXml(c.axis.format(v))}</text>`);
  }

  const svg =
    `<svg viewBox="0 0 ${W} ${H}" width="100%" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(c.title)}">` +
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">${escapeXml(c.title)}</text>` +
    out.join("") +
    `<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}" stroke="#666"/>` +
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}" stroke="#666"/>` +
    `<text x="${M.left + PW}" y="${H - 4}" text-anchor="end" fill="#666">${escapeXml(c.axis.label)}</text>` +
    `<text x="12" y="${M.top + PH / 2}" text-anchor="middle" fill="#666" transform="rotate(-90 12 ${M.top + PH / 2})">${escapeXml(c.yLabel)}</text>` +
    `</svg>`;
  const keys = [...(c.series ?? []).map((s) => ({ label: s.label, color: s.color, dashed: s.dashed })), ...(c.bars?.keys ?? []), ...uniqueBands(c.bands ?? [])];
  return `<figure>${svg}${legend(keys)}</figure>`;
}
