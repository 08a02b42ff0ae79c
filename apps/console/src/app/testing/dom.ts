// DOM helpers for the page specs.

/** The element SELECTOR finds on PAGE; the test fails when there is none. */
export function find<T extends Element>(page: HTMLElement, selector: string): T {
  const element = page.querySelector<T>(selector);
  if (!element) throw new Error(`no ${selector}`);
  return element;
}

/** Sets a form field as typing would, so ngModel sees it. */
export function fill(page: HTMLElement, selector: string, value: string): void {
  const field = find<HTMLInputElement | HTMLSelectElement>(page, selector);
  field.value = value;
  field.dispatchEvent(new Event(field instanceof HTMLSelectElement ? 'change' : 'input'));
}
