/** Half-open instant spans [start, end) in epoch ms, and the few set operations windows need. */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Sorted, disjoint spans; spans that overlap or touch become one, so a close followed by an open at the same instant is no close. */
export function union(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged.at(-1);
    if (last && s.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else merged.push(s);
  }
  return merged;
}

/** `from` minus `cut`; both sorted and disjoint (as `union` returns them). */
export function subtract(from: readonly Span[], cut: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const span of from) {
    let start = span.start;
    for (const c of cut) {
      if (c.end <= start || c.start >= span.end) continue;
      if (c.start > start) out.push({ start, end: c.start });
      start = Math.max(start, c.end);
      if (start >= span.end) break;
    }
    if (start < span.end) out.push({ start, end: span.end });
  }
  return out;
}

export function clip(span: Span, frame: Span): Span {
  return { start: Math.max(span.start, frame.start), end: Math.min(span.end, frame.end) };
}

export function containing(spans: readonly Span[], at: number): Span | undefined {
  return spans.find((s) => s.start <= at && at < s.end);
}
