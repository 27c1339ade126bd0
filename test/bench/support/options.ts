/**
 * A numeric command-line option (`--mb 200`) of a benchmark, or `fallback` when absent. Throws
 * for a value that is not a number, or not positive unless `allowZero` (a 0 ms delay).
 */
export function numberOption(args: string[], name: string, fallback: number, allowZero = false): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) throw new Error(`${name} needs a ${allowZero ? 'non-negative' : 'positive'} number`);
  return value;
}

/** The middle value of a benchmark's runs: one slow run does not move it. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
