/** Resolves once `check` holds, polling on the event loop: for state with no event to wait on (never a wall-clock assertion). */
export async function waitFor(check: () => boolean, everyMs = 5): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, everyMs));
}
