/** US dollars with cents: "$3.65". */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** "3 instances", "1 instance". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
