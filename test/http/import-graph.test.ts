// The HTTP stage's modules form no import cycle: src/http/**/*.ts is parsed with the TypeScript compiler
// (the project's own compiler, not a pattern match), every relative import / re-export becomes an edge,
// and a cycle fails the test, named file by file. Two graphs are checked:
// - runtime edges (imports that survive compilation): none may form a cycle anywhere in src/http;
// - all edges, type-only imports included: none may form a cycle among the stage's own files outside
//   the parser package (src/http/parser/ is one module with its own contract, parser/types.ts naming
//   MessageParser for its callbacks; a type-only edge is erased and cannot change load order).
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../util/sensor-run.js';

const ROOT = join(REPO_ROOT, 'src', 'http');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Edge { to: string; typeOnly: boolean }

/** The relative imports and re-exports of one source text, resolved to file paths. */
export function edgesOf(file: string, text: string): Edge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false);
  const edges: Edge[] = [];
  for (const st of sf.statements) {
    let spec: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(st)) {
      spec = st.moduleSpecifier;
      const clause = st.importClause;
      if (clause !== undefined) {
        const named = clause.namedBindings;
        typeOnly = clause.isTypeOnly || (clause.name === undefined && named !== undefined && ts.isNamedImports(named)
          && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      }
    } else if (ts.isExportDeclaration(st)) {
      spec = st.moduleSpecifier;
      typeOnly = st.isTypeOnly;
    }
    if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
    edges.push({ to: resolve(dirname(file), spec.text.replace(/\.js$/, '.ts')), typeOnly });
  }
  return edges;
}

/** Every elementary cycle found by depth-first search (one per back edge), as file lists. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

function graphOf(all: Map<string, Edge[]>, keep: (from: string, e: Edge) => boolean): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const [from, edges] of all) g.set(from, edges.filter((e) => all.has(e.to) && keep(from, e)).map((e) => e.to));
  return g;
}

const name = (f: string) => relative(ROOT, f);
const show = (c: string[]) => c.map(name).join(' -> ');

t.test('the cycle finder finds a cycle and names its files', async (t) => {
  const a = join(ROOT, 'a.ts');
  const b = join(ROOT, 'b.ts');
  const c = join(ROOT, 'c.ts');
  const edges = new Map<string, Edge[]>([
    [a, edgesOf(a, "import { x } from './b.js';\nimport type { T } from './c.js';")],
    [b, edgesOf(b, "export { y } from './c.js';")],
    [c, edgesOf(c, "import { type U, z } from './a.js';\nimport type * as N from './b.js';")],
  ]);
  t.same(edges.get(a)!.map((e) => e.typeOnly), [false, true]);
  t.same(edges.get(c)!.map((e) => e.typeOnly), [false, true]);
  t.same(cycles(graphOf(edges, (_f, e) => !e.typeOnly)).map(show), ['a.ts -> b.ts -> c.ts -> a.ts']);
  t.same(cycles(graphOf(edges, () => true)).map(show), ['a.ts -> b.ts -> c.ts -> a.ts', 'b.ts -> c.ts -> b.ts']);
});

t.test('src/http has no import cycle', async (t) => {
  const all = new Map<string, Edge[]>();
  for (const f of files(ROOT)) all.set(f, edgesOf(f, readFileSync(f, 'utf8')));
  t.ok(all.size > 20, `parsed ${all.size} files`);
  t.ok([...all.values()].some((es) => es.length > 0), 'imports were found');
  const runtime = cycles(graphOf(all, (_f, e) => !e.typeOnly));
  t.same(runtime.map(show), [], 'no cycle of runtime imports');
  const inParser = (f: string) => name(f).startsWith('parser/');
  const typed = cycles(graphOf(all, (from, e) => !(inParser(from) && inParser(e.to))));
  t.same(typed.map(show), [], 'no cycle of imports, type-only ones included, outside the parser package');
});
