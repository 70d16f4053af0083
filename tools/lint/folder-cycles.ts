import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Folder dependency cycles inside one source tree. An import from `a/x.ts` of `b/y.ts` is an edge
 * `a → b` between the two sibling folders under their lowest common folder (so `engine/` and
 * `extensions/` inside `sliding-sync/` are compared as well as top-level folders). Files directly in a
 * folder are not nodes: a folder's own root files are its interface. Production files only (specs may
 * reach across folders to build fixtures). Only relative imports count; `@gateway/*` libs are checked by
 * the module-boundary lint rule.
 */

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

export interface FolderCycle {
  /** The folders of one strongly connected component, sorted, relative to the source root. */
  folders: string[];
  /** One import per edge inside the component, as evidence: `from → to (file imports file)`. */
  edges: string[];
}

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The two sibling folders an import connects, or undefined when one side is a file of the common folder. */
function folderEdge(root: string, from: string, to: string): [string, string] | undefined {
  const a = relative(root, dirname(from)).split(sep).filter(Boolean);
  const b = relative(root, dirname(to)).split(sep).filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i >= a.length || i >= b.length) return undefined;
  return [a.slice(0, i + 1).join('/'), b.slice(0, i + 1).join('/')];
}

export function findFolderCycles(root: string): FolderCycle[] {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined) continue;
      const target = resolveImport(file, specifier);
      if (target === undefined) continue;
      const edge = folderEdge(root, file, target);
      if (edge === undefined) continue;
      const [x, y] = edge;
      const out = graph.get(x) ?? new Map<string, string>();
      graph.set(x, out);
      if (!graph.has(y)) graph.set(y, new Map());
      if (!out.has(y)) out.set(y, `${x} → ${y} (${relative(root, file)} imports ${relative(root, target)})`);
    }
  }
  return stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => {
      const members = new Set(component);
      const edges = component.flatMap((node) =>
        [...(graph.get(node) ?? new Map<string, string>())]
          .filter(([to]) => members.has(to))
          .map(([, evidence]) => evidence),
      );
      return { folders: [...component].sort(), edges: edges.sort() };
    })
    .sort((p, q) => p.folders.join().localeCompare(q.folders.join()));
}

/** Tarjan's algorithm; the graphs here have tens of nodes, so recursion depth is no concern. */
function stronglyConnected(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return components;
}
