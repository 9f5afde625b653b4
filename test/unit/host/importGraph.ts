// The project's import graph as the TypeScript compiler resolves it, and the layering rules it
// must follow (docs/ARCHITECTURE.md's code map). Type-only imports count: esbuild's metafile drops
// them, but a type imported from another folder couples the two as much as a value does.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** repo-relative file (with `/`) → the repo files it imports (node_modules left out) */
export type ImportGraph = Map<string, string[]>;

export interface Layer {
  name: string;
  /** a folder (ending in `/`) or a single file, repo-relative */
  paths: string[];
  /** the layers this one may import (itself included where allowed) */
  mayImport: string[];
}

const toPosix = (p: string) => p.split(sep).join('/');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier a file names: import/export declarations, import(), require(), import('x').T types. */
function moduleSpecifiers(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require'))
        found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The graph of every .ts file under `roots` (repo-relative folders), resolved as tsconfig.json says. */
export function readImportGraph(repo: string, roots: string[]): ImportGraph {
  const configFile = ts.readConfigFile(join(repo, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  if (configFile.error) throw new Error(ts.flattenDiagnosticMessageText(configFile.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, repo);
  const host = ts.createCompilerHost(options);
  const graph: ImportGraph = new Map();
  for (const file of roots.flatMap((r) => tsFiles(join(repo, r))).sort()) {
    const source = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, true);
    const imports = new Set<string>();
    for (const spec of moduleSpecifiers(source)) {
      const resolved = ts.resolveModuleName(spec, file, options, host).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      const target = toPosix(relative(repo, resolved.resolvedFileName));
      if (!target.startsWith('..') && !target.includes('node_modules/')) imports.add(target);
    }
    graph.set(toPosix(relative(repo, file)), [...imports].sort());
  }
  return graph;
}

export function layerOf(file: string, layers: Layer[]): Layer | undefined {
  return layers.find((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

/**
 * One line per import that crosses a boundary the layers forbid, and per file that belongs to no
 * layer (a new folder must be given a place in the code map).
 */
export function boundaryViolations(graph: ImportGraph, layers: Layer[]): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file, layers);
    if (!from) {
      problems.push(`${file} belongs to no layer`);
      continue;
    }
    for (const target of imports) {
      const to = layerOf(target, layers);
      if (!to) {
        if (graph.has(target)) continue; // reported above as a file of no layer
        problems.push(`${file} imports ${target}, which belongs to no layer`);
      } else if (!from.mayImport.includes(to.name)) {
        problems.push(`${file} imports ${target}: ${from.name} may import only ${from.mayImport.join(', ')}, not ${to.name}`);
      }
    }
  }
  return problems;
}

/**
 * The import cycles among the files whose path starts with `within`: one per strongly connected
 * component (Tarjan), as a path `a → b → … → a` through it.
 */
export function importCycles(graph: ImportGraph, within: string): string[][] {
  const inside = (f: string) => f.startsWith(within) && graph.has(f);
  const edges = (f: string) => (graph.get(f) ?? []).filter(inside);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const strongConnect = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges(v).includes(v)) components.push(component);
    }
  };
  for (const f of [...graph.keys()].filter(inside).sort()) if (!index.has(f)) strongConnect(f);
  return components.map((c) => cyclePath(c, edges));
}

/** A shortest cycle through the component's first file (breadth-first inside the component). */
function cyclePath(component: string[], edges: (f: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges(v).filter((x) => members.has(x))) {
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = previous.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start]; // unreachable for a real component: every member reaches every other
}
