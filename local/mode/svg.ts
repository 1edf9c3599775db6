/**
 * Small inline SVG charts for the local report: a time chart (step or
 * straight lines, dots, shaded bands, vertical markers, horizontal guides)
 * and stacked bars. No scripts, fonts or external assets: the report must
 * open from a file anywhere.
 */

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

export interface TimeChart {
  title: string;
  xMax: number;
  /** @default the largest y, at least 1 */
  yMax?: number;
  yLabel: string;
  series: readonly Series[];
  bands?: readonly Band[];
  markers?: readonly Marker[];
  guides?: readonly Guide[];
}

export interface StackedBars {
  title: string;
  xMax: number;
  yLabel: string;
  keys: readonly { label: string; color: string }[];
  /** values[i] belongs to keys[i]. */
  buckets: readonly { from: number; to: number; values: readonly number[] }[];
}

const W = 860;
const H = 240;
const M = { left: 52, right: 16, top: 28, bottom: 34 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** About `count` round tick values from 0 to max (1, 2 or 5 × 10^k apart). */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 ? `${Number((v / 1000).toPrecision(3))}k` : String(Number(v.toPrecision(3))));

function frame(title: string, xMax: number, yMax: number, yLabel: string, body: string): string {
  const x = (v: number) => M.left + (v / xMax) * PW;
  const y = (v: number) => M.top + PH - (v / yMax) * PH;
  const xt = ticks(xMax, 8)
    .map((v) => `<line x1="${x(v)}" y1="${M.top + PH}" x2="${x(v)}" y2="${M.top + PH + 4}" stroke="#999"/><text x="${x(v)}" y="${M.top + PH + 16}" text-anchor="middle">${fmt(v)}</text>`)
    .join("");
  const yt = ticks(yMax, 4)
    .map((v) => `<line x1="${M.left}" y1="${y(v)}" x2="${M.left + PW}" y2="${y(v)}" stroke="#eee"/><text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`)
    .join("");
  return (
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>` +
    yt +
    body +
    `<line x1="${M.left}" y1="${M.top + PH}" x2="${M.left + PW}" y2="${M.top + PH}" stroke="#666"/>` +
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + PH}" stroke="#666"/>` +
    xt +
    `<text x="${M.left + PW}" y="${H - 4}" text-anchor="end" fill="#666">wall seconds</text>` +
    `<text x="12" y="${M.top + PH / 2}" text-anchor="middle" fill="#666" transform="rotate(-90 12 ${M.top + PH / 2})">${escapeXml(yLabel)}</text>` +
    `</svg>`
  );
}

function legend(items: readonly { label: string; color: string; dashed?: boolean }[]): string {
  const parts = items.map(
    (i) => `<span class="key"><svg width="18" height="8"><line x1="0" y1="4" x2="18" y2="4" stroke="${i.color}" stroke-width="3"${i.dashed ? ' stroke-dasharray="4 3"' : ""}/></svg>${escapeXml(i.label)}</span>`,
  );
  return `<div class="legend">${parts.join(" ")}</div>`;
}

export function timeChart(c: TimeChart): string {
  const xMax = Math.max(c.xMax, 1e-9);
  const allY = [...c.series.flatMap((s) => s.points.map((p) => p[1])), ...(c.guides ?? []).map((g) => g.y)];
  const yMax = c.yMax ?? Math.max(1, ...allY) * 1.08;
  const x = (v: number) => M.left + (Math.min(Math.max(v, 0), xMax) / xMax) * PW;
  const y = (v: number) => M.top + PH - (Math.min(Math.max(v, 0), yMax) / yMax) * PH;
  const bands = (c.bands ?? [])
    .map((b) => `<rect x="${x(b.from)}" y="${M.top}" width="${Math.max(1, x(b.to) - x(b.from))}" height="${PH}" fill="${b.color}" opacity="0.18"><title>${escapeXml(b.label)}</title></rect>`)
    .join("");
  const guides = (c.guides ?? [])
    .map((g) => `<line x1="${M.left}" y1="${y(g.y)}" x2="${M.left + PW}" y2="${y(g.y)}" stroke="${g.color}" stroke-dasharray="2 3"/><text x="${M.left + PW - 2}" y="${y(g.y) - 3}" text-anchor="end" fill="${g.color}">${escapeXml(g.label)}</text>`)
    .join("");
  const markers = (c.markers ?? [])
    .map((m, i) => `<line x1="${x(m.at)}" y1="${M.top}" x2="${x(m.at)}" y2="${M.top + PH}" stroke="#555" stroke-dasharray="3 3"/><text x="${x(m.at) + 3}" y="${M.top + 10 + (i % 3) * 11}" fill="#555">${escapeXml(m.label)}</text>`)
    .join("");
  const lines = c.series
    .map((s) => {
      if (s.points.length === 0) return "";
      if (s.dots) return s.points.map(([px, py]) => `<circle cx="${x(px)}" cy="${y(py)}" r="2" fill="${s.color}"/>`).join("");
      const coords: string[] = [];
      s.points.forEach(([px, py], i) => {
        if (s.step && i > 0) coords.push(`${x(px)},${y(s.points[i - 1]![1])}`);
        coords.push(`${x(px)},${y(py)}`);
      });
      if (s.step) coords.push(`${x(xMax)},${y(s.points.at(-1)![1])}`);
      return `<polyline points="${coords.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ""}/>`;
    })
    .join("");
  const keys = [...c.series.map((s) => ({ label: s.label, color: s.color, dashed: s.dashed })), ...uniqueBands(c.bands ?? [])];
  return `<figure>${frame(c.title, xMax, yMax, c.yLabel, bands + guides + lines + markers)}${legend(keys)}</figure>`;
}

function uniqueBands(bands: readonly Band[]): { label: string; color: string }[] {
  const seen = new Map<string, string>();
  for (const b of bands) if (!seen.has(b.label)) seen.set(b.label, b.color);
  return [...seen].map(([label, color]) => ({ label, color }));
}

export function stackedBars(c: StackedBars): string {
  const xMax = Math.max(c.xMax, 1e-9);
  const yMax = Math.max(1, ...c.buckets.map((b) => b.values.reduce((n, v) => n + v, 0))) * 1.08;
  const x = (v: number) => M.left + (Math.min(Math.max(v, 0), xMax) / xMax) * PW;
  const y = (v: number) => M.top + PH - (v / yMax) * PH;
  const rects = c.buckets
    .map((b) => {
      let base = 0;
      return b.values
        .map((v, i) => {
          if (v <= 0) return "";
          const r = `<rect x="${x(b.from) + 0.5}" y="${y(base + v)}" width="${Math.max(1, x(b.to) - x(b.from) - 1)}" height="${y(base) - y(base + v)}" fill="${c.keys[i]!.color}"><title>${escapeXml(`${c.keys[i]!.label}: ${v}`)}</title></rect>`;
          base += v;
          return r;
        })
        .join("");
    })
    .join("");
  return `<figure>${frame(c.title, xMax, yMax, c.yLabel, rects)}${legend(c.keys)}</figure>`;
}
