/**
 * Minimal inline-SVG charts for the report: time on x, lines (step or
 * straight), stacked bars and shaded bands, axes with ticks and a legend. No
 * external assets, so a report is one self-contained file.
 */
export interface Series {
  name: string;
  color: string;
  points: readonly { t: number; v: number }[];
  /** Hold each value until the next point (a setting), rather than joining points. */
  step?: boolean;
  dashed?: boolean;
}

export interface Band {
  from: number;
  to: number;
  color: string;
  label: string;
}

export interface StackedBars {
  width: number;
  layers: { name: string; color: string; values: readonly { t: number; v: number }[] }[];
}

export interface ChartSpec {
  title: string;
  yLabel: string;
  /** x domain, epoch ms. */
  from: number;
  to: number;
  series?: Series[];
  bars?: StackedBars;
  bands?: Band[];
  logY?: boolean;
  yMin?: number;
}

const W = 960;
const H = 260;
const M = { left: 60, right: 16, top: 44, bottom: 48 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

function clock(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

export function chart(spec: ChartSpec): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const span = Math.max(1, spec.to - spec.from);
  const x = (t: number) => M.left + ((t - spec.from) / span) * plotW;

  const values: number[] = [];
  for (const s of spec.series ?? []) for (const p of s.points) values.push(p.v);
  if (spec.bars) {
    const totals = new Map<number, number>();
    for (const layer of spec.bars.layers) for (const p of layer.values) totals.set(p.t, (totals.get(p.t) ?? 0) + p.v);
    values.push(...totals.values());
  }
  const finite = values.filter((v) => Number.isFinite(v));
  let yMax = Math.max(1, ...finite) * 1.08;
  let yMin = spec.yMin ?? 0;
  if (spec.logY) {
    yMin = Math.max(1, spec.yMin ?? Math.min(...finite.filter((v) => v > 0), 10));
    yMax = Math.max(yMin * 10, yMax);
  }
  const y = (v: number) => {
    if (spec.logY) {
      const lv = Math.log10(Math.max(v, yMin));
      return M.top + plotH - ((lv - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
    }
    return M.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  };

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeXml(spec.title)}">`);
  out.push(`<text x="${M.left}" y="18" class="title">${escapeXml(spec.title)}</text>`);
  for (const b of spec.bands ?? []) {
    const x0 = Math.max(M.left, x(b.from));
    const x1 = Math.min(M.left + plotW, x(b.to));
    if (x1 > x0) out.push(`<rect x="${x0.toFixed(1)}" y="${M.top}" width="${(x1 - x0).toFixed(1)}" height="${plotH}" fill="${b.color}"><title>${escapeXml(b.label)}</title></rect>`);
  }
  // Y grid and ticks.
  const yTicks: number[] = [];
  if (spec.logY) {
    for (let v = 10 ** Math.floor(Math.log10(yMin)); v <= yMax; v *= 10) if (v >= yMin) yTicks.push(v);
  } else {
    const st = niceStep(yMax - yMin, 5);
    for (let v = Math.ceil(yMin / st) * st; v <= yMax; v += st) yTicks.push(v);
  }
  for (const v of yTicks) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${formatNumber(v)}</text>`);
  }
  // X ticks: elapsed time h:mm.
  const xStep = niceMinutes(span);
  for (let t = 0; t <= span; t += xStep) {
    const px = x(spec.from + t);
    out.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${M.top + plotH}" y2="${M.top + plotH + 4}" class="axis"/>`);
    out.push(`<text x="${px.toFixed(1)}" y="${M.top + plotH + 16}" class="tick" text-anchor="middle">${clock(t)}</text>`);
  }
  out.push(`<text x="${M.left + plotW / 2}" y="${H - 6}" class="tick" text-anchor="middle">elapsed (h:mm)</text>`);
  out.push(`<text x="14" y="${M.top + plotH / 2}" class="tick" text-anchor="middle" transform="rotate(-90 14 ${M.top + plotH / 2})">${escapeXml(spec.yLabel)}</text>`);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" class="frame"/>`);

  if (spec.bars) {
    const bw = Math.max(1, (spec.bars.width / span) * plotW - 0.5);
    const base = new Map<number, number>();
    for (const layer of spec.bars.layers) {
      const parts: string[] = [];
      for (const p of layer.values) {
        if (p.v <= 0) continue;
        const b0 = base.get(p.t) ?? 0;
        const top = y(b0 + p.v);
        parts.push(`M${x(p.t).toFixed(1)} ${y(b0).toFixed(1)}h${bw.toFixed(1)}V${top.toFixed(1)}h${(-bw).toFixed(1)}Z`);
        base.set(p.t, b0 + p.v);
      }
      if (parts.length) out.push(`<path d="${parts.join("")}" fill="${layer.color}"><title>${escapeXml(layer.name)}</title></path>`);
    }
  }
  for (const s of spec.series ?? []) {
    if (s.points.length === 0) continue;
    const d: string[] = [];
    s.points.forEach((p, i) => {
      const px = x(p.t).toFixed(1);
      const py = y(p.v).toFixed(1);
      if (i === 0) d.push(`M${px} ${py}`);
      else if (s.step) d.push(`H${px}V${py}`);
      else d.push(`L${px} ${py}`);
    });
    if (s.step) d.push(`H${x(spec.to).toFixed(1)}`);
    out.push(`<path d="${d.join("")}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 4"' : ""}><title>${escapeXml(s.name)}</title></path>`);
  }
  // Legend.
  const entries = [
    ...(spec.series ?? []).map((s) => ({ name: s.name, color: s.color })),
    ...(spec.bars?.layers ?? []).map((l) => ({ name: l.name, color: l.color })),
    ...uniqueBands(spec.bands ?? []),
  ];
  // Legend rows under the title, wrapped at the chart's width.
  let lx = M.left;
  let ly = 24;
  for (const e of entries) {
    const w = 24 + e.name.length * 6.2;
    if (lx + w > W - M.right) {
      lx = M.left;
      ly += 14;
    }
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${e.color}"/><text x="${lx + 14}" y="${ly + 9}" class="tick">${escapeXml(e.name)}</text>`);
    lx += w;
  }
  out.push("</svg>");
  return out.join("");
}

function uniqueBands(bands: Band[]): { name: string; color: string }[] {
  const seen = new Map<string, string>();
  for (const b of bands) if (!seen.has(b.label)) seen.set(b.label, b.color);
  return [...seen].map(([name, color]) => ({ name, color }));
}

function niceMinutes(spanMs: number): number {
  const minutes = spanMs / 60_000;
  for (const m of [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440]) if (minutes / m <= 12) return m * 60_000;
  return 2880 * 60_000;
}

function formatNumber(v: number): string {
  if (v >= 1_000_000) return `${v / 1_000_000}M`;
  if (v >= 10_000) return `${v / 1000}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
