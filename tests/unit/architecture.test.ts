import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of ARCHITECTURE.md, checked over the source itself:
 * - no import cycle between files of src/, and none between its top-level folders;
 * - no hand-written source file over 600 lines (a file that starts with an `@generated` comment is exempt).
 *
 * An import is any reference that makes one module load or type-check against another: `import … from`,
 * `import type`, `export … from`, `import('…')` (also in type positions) and worker entries referenced as
 * `new URL('…', import.meta.url)`. Type-only imports count: a type cycle still ties two files together.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 600;

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Module specifiers a file refers to, in source order. */
function referencedSpecifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  const literal = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) out.push(node.text);
  };
  const isImportMetaUrl = (node: ts.Node) =>
    ts.isPropertyAccessExpression(node) && ts.isMetaProperty(node.expression) && node.name.text === 'url';
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      literal(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const args = node.arguments ?? [];
      if (args.length === 2 && isImportMetaUrl(args[1])) literal(args[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The src/ .ts file a relative specifier names, or null (packages, assets such as .css). */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) {
      return candidate.startsWith(SRC) ? candidate : null;
    }
  }
  return null;
}

const rel = (file: string) => relative(ROOT, file);
/** Top-level folder of src/ a file belongs to; files directly in src/ (main.ts) form the folder `src`. */
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0] : 'src';
};

/** Strongly connected components with more than one member (Tarjan, iterative). */
function cycles(nodes: string[], next: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; it: Iterator<string> }[] = [];
    const open = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, it: (next.get(node) ?? new Set<string>()).values() });
    };
    open(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const step = frame.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        if (component.length > 1) out.push(component.sort());
      }
    }
  }
  return out;
}

/** One shortest cycle through `start` inside `members`, as `a → b → … → a`. */
function shortestCycle(start: string, members: Set<string>, next: Map<string, Set<string>>): string {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const w of next.get(queue[i]) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let v = queue[i]; v !== start; v = previous.get(v)!) path.push(v);
        path.push(start);
        return path.reverse().join(' → ');
      }
      if (!previous.has(w)) {
        previous.set(w, queue[i]);
        queue.push(w);
      }
    }
  }
  return start;
}

function graphOf(edges: Edge[]): Map<string, Set<string>> {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    let set = next.get(from);
    if (!set) next.set(from, (set = new Set()));
    set.add(to);
  }
  return next;
}

const files = sourceFiles(SRC);
const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const fileEdges: Edge[] = [];
for (const file of files) {
  for (const specifier of referencedSpecifiers(file, texts.get(file)!)) {
    const target = resolveSpecifier(file, specifier);
    if (target && target !== file) fileEdges.push({ from: rel(file), to: rel(target) });
  }
}

describe('architecture', () => {
  it('sees the imports it checks', () => {
    // Guards the scanner: if it stopped seeing imports, the cycle checks below would pass vacuously.
    const entry = fileEdges.filter((e) => e.from === 'src/main.ts').map((e) => e.to);
    expect(entry).toContain('src/app/viewer.ts');
    expect(entry.some((to) => to.endsWith('.worker.ts'))).toBe(true);
    expect(fileEdges.length).toBeGreaterThan(files.length);
  });

  it('has no import cycle between files of src/', () => {
    const next = graphOf(fileEdges);
    const found = cycles(files.map(rel), next).map((members) => {
      const cycle = shortestCycle(members[0], new Set(members), next);
      return members.length > cycle.split(' → ').length - 1 ? `${cycle}  (cycle group: ${members.join(', ')})` : cycle;
    });
    expect(found, `import cycles between files:\n${found.join('\n')}`).toEqual([]);
  });

  it('has no import cycle between the top-level folders of src/', () => {
    const folderEdges: Edge[] = [];
    const example = new Map<string, string>();
    for (const e of fileEdges) {
      const from = folderOf(join(ROOT, e.from));
      const to = folderOf(join(ROOT, e.to));
      if (from === to) continue;
      folderEdges.push({ from, to });
      if (!example.has(`${from}→${to}`)) example.set(`${from}→${to}`, `${e.from} imports ${e.to}`);
    }
    const next = graphOf(folderEdges);
    const found = cycles([...new Set(folderEdges.map((e) => e.from))].sort(), next).map((members) => {
      const inside = new Set(members);
      const why = [...example]
        .filter(([key]) => key.split('→').every((f) => inside.has(f)))
        .map(([key, text]) => `    ${key.replace('→', ' → ')}: ${text}`);
      return `${shortestCycle(members[0], inside, next)}\n${why.join('\n')}`;
    });
    expect(found, `import cycles between folders of src/:\n${found.join('\n')}`).toEqual([]);
  });

  it(`has no hand-written source file over ${MAX_LINES} lines`, () => {
    const long: string[] = [];
    for (const [file, text] of texts) {
      if (/^\s*(\/\/|\/\*)[^\n]*@generated/.test(text)) continue;
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (lines > MAX_LINES) long.push(`${rel(file)}: ${lines} lines`);
    }
    expect(long, `files over ${MAX_LINES} lines:\n${long.join('\n')}`).toEqual([]);
  });
});
