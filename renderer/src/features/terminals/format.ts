/** Whole minutes left until `iso` (rounded up, never below 0). */
export function remainingMinutes(iso: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 60_000));
}

/** "52 min left", "less than a minute left" (an endpoint connection lasts at most an hour). */
export function formatTimeLeft(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  if (ms <= 0) return 'time is up';
  if (ms < 60_000) return 'less than a minute left';
  return `${Math.ceil(ms / 60_000)} min left`;
}

/** Seconds until `iso`, for "Reconnecting in 4 s". */
export function secondsUntil(iso: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}
