/**
 * A time profile: a value that changes over a simulated run (the provider's
 * true capacity, its median latency). Points are (minute since the run's
 * start, value), minutes strictly increasing, the first at minute 0.
 *
 *   step:   v(t) = value of the last point with atMinute ≤ t
 *   linear: v(t) = linear interpolation between the points around t; the last value holds after the last point
 */
export interface ProfilePoint {
  atMinute: number;
  value: number;
}

export interface TimeProfile {
  shape: "step" | "linear";
  points: readonly ProfilePoint[];
}

export function constant(value: number): TimeProfile {
  return { shape: "step", points: [{ atMinute: 0, value }] };
}

/** The value `minute` minutes into the run. */
export function valueAt(profile: TimeProfile, minute: number): number {
  const pts = profile.points;
  let lo = 0;
  let hi = pts.length - 1;
  if (minute <= pts[0]!.atMinute) return pts[0]!.value;
  if (minute >= pts[hi]!.atMinute) return pts[hi]!.value;
  // Invariant: pts[lo].atMinute ≤ minute < pts[hi].atMinute.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (pts[mid]!.atMinute <= minute) lo = mid;
    else hi = mid;
  }
  const a = pts[lo]!;
  if (profile.shape === "step") return a.value;
  const b = pts[hi]!;
  return a.value + ((b.value - a.value) * (minute - a.atMinute)) / (b.atMinute - a.atMinute);
}

/** Minutes at which a step profile rises (a capacity coming back). */
export function rises(profile: TimeProfile): number[] {
  const out: number[] = [];
  for (let i = 1; i < profile.points.length; i++) {
    if (profile.points[i]!.value > profile.points[i - 1]!.value) out.push(profile.points[i]!.atMinute);
  }
  return out;
}
