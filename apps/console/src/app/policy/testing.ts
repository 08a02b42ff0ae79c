// Helpers for the policy pages' specs.

/** The cells of each row of the diff table on PAGE: path, change, was, becomes. */
export function diffCells(page: HTMLElement): string[][] {
  return [...page.querySelectorAll('[data-testid="diff-row"]')].map((row) => [...row.children].map((cell) => cell.textContent?.trim() ?? ''));
}
