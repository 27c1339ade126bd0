import { act, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';
import { FakeMain } from './fakeMain';

// React's act() warns unless the environment says it is a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface ComponentHarness {
  /** What window.eic talks to: the real bridge over a fake main whose answers each test sets. */
  readonly main: FakeMain;
  /** This test's element (fresh for each test, removed after it). */
  readonly container: HTMLDivElement;
  readonly root: Root;
  /** Renders into the container inside act(). */
  render(element: ReactElement): void;
}

/**
 * The set-up every renderer component test shares; call it once at the top of the file (which
 * needs `// @vitest-environment jsdom`). window.eic becomes a FakeMain, whose calls and answers
 * are forgotten before each test (the renderer's api module reads window.eic once per file, so
 * the same FakeMain serves the whole file); each test renders into a fresh element, unmounted
 * after it.
 */
export function renderWithMain(): ComponentHarness {
  const main = new FakeMain();
  main.install();
  let container: HTMLDivElement | undefined;
  let root: Root | undefined;
  beforeEach(() => {
    main.reset();
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });
  afterEach(() => {
    act(() => root?.unmount());
    container?.remove();
  });
  const current = <T,>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} exists only inside a test`);
    return value;
  };
  return {
    main,
    get container() {
      return current(container, 'the container');
    },
    get root() {
      return current(root, 'the root');
    },
    render(element) {
      const r = current(root, 'the root');
      act(() => r.render(element));
    },
  };
}

/** Lets promises, their follow-ups and zero-delay timers run (the fake main answers asynchronously). */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  });
}

/** Types into a controlled input as a person would (React listens for the native input event). */
export async function typeInto(input: HTMLInputElement, value: string): Promise<void> {
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/**
 * The button whose visible text, or else whose aria-label, is `name` (a string matches whole, a
 * RegExp anywhere); undefined when there is none. Visible text wins, so a footer's "Close" is
 * found before a dialog's close icon labelled "Close".
 */
export function queryButton(name: string | RegExp, scope: ParentNode = document): HTMLButtonElement | undefined {
  const matches = (n: string): boolean => (typeof name === 'string' ? n === name : name.test(n));
  const buttons = [...scope.querySelectorAll('button')];
  return buttons.find((b) => matches((b.textContent ?? '').trim())) ?? buttons.find((b) => matches(b.getAttribute('aria-label') ?? ''));
}

/** Like queryButton, but fails with the page's markup when there is no such button. */
export function button(name: string | RegExp, scope: ParentNode = document): HTMLButtonElement {
  const found = queryButton(name, scope);
  if (!found) throw new Error(`no button ${String(name)} in: ${(scope as Element).innerHTML ?? document.body.innerHTML}`);
  return found;
}

/** Clicks the button named `name` inside act(). */
export async function click(name: string | RegExp, scope: ParentNode = document): Promise<void> {
  const b = button(name, scope);
  await act(async () => b.click());
}

/** The form control a label (whose text matches) points to. */
export function field(label: RegExp, scope: ParentNode = document): HTMLInputElement {
  const l = [...scope.querySelectorAll('label')].find((x) => label.test(x.textContent ?? ''));
  if (!l) throw new Error(`no label ${String(label)}`);
  return document.getElementById(l.htmlFor) as HTMLInputElement;
}
