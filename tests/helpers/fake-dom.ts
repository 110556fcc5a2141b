/**
 * Just enough of a DOM for UI modules built with `src/ui/dom.ts` (createElement, text nodes, attributes, events)
 * to run under Node. `innerHTML` throws, so a test fails if model text could reach markup.
 */
export class FakeNode {
  parentNode: FakeNode | null = null;
  childNodes: FakeNode[] = [];

  get firstChild(): FakeNode | null {
    return this.childNodes[0] ?? null;
  }

  appendChild<T extends FakeNode>(child: T): T {
    child.parentNode?.removeChild(child);
    child.parentNode = this;
    this.childNodes.push(child);
    return child;
  }

  removeChild<T extends FakeNode>(child: T): T {
    const i = this.childNodes.indexOf(child);
    if (i >= 0) this.childNodes.splice(i, 1);
    child.parentNode = null;
    return child;
  }

  remove(): void {
    this.parentNode?.removeChild(this);
  }

  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }

  set textContent(value: string) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    if (value) this.appendChild(new FakeText(value));
  }
}

export class FakeText extends FakeNode {
  constructor(public data: string) {
    super();
  }

  override get textContent(): string {
    return this.data;
  }

  override set textContent(value: string) {
    this.data = value;
  }
}

export class FakeElement extends FakeNode {
  className = '';
  title = '';
  hidden = false;
  readonly style: Record<string, string> = {};
  readonly attributes = new Map<string, string>();
  private readonly listeners = new Map<string, ((e: unknown) => void)[]>();

  constructor(readonly tagName: string) {
    super();
  }

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }

  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }

  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }

  addEventListener(type: string, fn: (e: unknown) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push(fn);
    this.listeners.set(type, list);
  }

  dispatch(type: string, event: Record<string, unknown> = {}): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, target: this, preventDefault() {}, ...event });
  }

  get innerHTML(): string {
    throw new Error('innerHTML used');
  }

  set innerHTML(_: string) {
    throw new Error('innerHTML used');
  }

  /** Descendant elements with this tag name, in document order. */
  all(tag: string): FakeElement[] {
    const out: FakeElement[] = [];
    const walk = (n: FakeNode) => {
      for (const c of n.childNodes) {
        if (c instanceof FakeElement) {
          if (c.tagName === tag) out.push(c);
          walk(c);
        }
      }
    };
    walk(this);
    return out;
  }
}

/** Installs a fake `document` global; returns a function that restores the previous one. */
export function installFakeDom(): () => void {
  const g = globalThis as { document?: unknown };
  const previous = g.document;
  g.document = {
    createElement: (tag: string) => new FakeElement(tag),
    createTextNode: (text: string) => new FakeText(text),
  };
  return () => {
    g.document = previous;
  };
}
