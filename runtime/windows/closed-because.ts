/**
 * Why a provider may not be called now: one vocabulary for the windows, the
 * gate, the re-arm schedule, the pipeline's saved pause, the simulator and
 * the status views.
 *
 *   window closed   outside-window | maintenance        (the catalog's windows; reopen by themselves)
 *   paused          window closed | daily-limit | operator | auth   (saved in the ledger)
 *   closed          paused | breaker-open              (the gate's answer)
 *
 * "daily-limit" lifts itself on the next provider day; "operator" and "auth"
 * (the provider refused the credential) only when an operator resumes.
 */
export const WINDOW_CLOSED = { OUTSIDE_WINDOW: "outside-window", MAINTENANCE: "maintenance" } as const;
export type WindowClosed = (typeof WINDOW_CLOSED)[keyof typeof WINDOW_CLOSED];

export const PAUSE_REASONS = [WINDOW_CLOSED.OUTSIDE_WINDOW, WINDOW_CLOSED.MAINTENANCE, "daily-limit", "operator", "auth"] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export type ClosedBecause = PauseReason | "breaker-open";

/** Pauses only an operator's resume lifts; nothing the pipeline decides on its own replaces them. */
export function heldForOperator(reason: ClosedBecause | undefined | null): reason is "operator" | "auth" {
  return reason === "operator" || reason === "auth";
}

/** Closed by a window of the catalog: it reopens by itself at the window's next opening. */
export function byWindow(reason: ClosedBecause | undefined | null): reason is WindowClosed {
  return reason === WINDOW_CLOSED.OUTSIDE_WINDOW || reason === WINDOW_CLOSED.MAINTENANCE;
}
