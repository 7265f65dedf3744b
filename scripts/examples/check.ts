import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { AMBIENT } from './ambient.js';
import { extractExamples, type SourceExample, topLevelNames } from './extract.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** A compiler error in an example, placed at the example's line in its source file. */
export interface ExampleDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly entry: string;
}

export function workspacePackages(root = ROOT): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'adapters']) {
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name);
      const entry = join(dir, 'src/index.ts');
      if (!existsSync(join(dir, 'package.json')) || !existsSync(entry)) continue;
      found.push({ name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir, entry });
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  // An example imports a type as a reader would (`import { RequestView }`), without `type`.
  return { ...parsed.options, noEmit: true, declaration: false, verbatimModuleSyntax: false, isolatedModules: false };
}

/** The names a module exports (values and types). */
function exportsOf(program: ts.Program, path: string): string[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(path);
  const symbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
  return symbol === undefined
    ? []
    : checker
        .getExportsOfModule(symbol)
        .map((s) => s.name)
        .filter((n) => n !== 'default');
}

/** Packages whose exports an example of any package may use unimported: their names are unique. */
const SHARED = [
  '@bulwark/core',
  '@bulwark/cors-policy',
  '@bulwark/headers',
  '@bulwark/ratelimit',
  '@bulwark/redis',
  '@bulwark/validation',
];

interface VirtualExample {
  readonly example: SourceExample;
  readonly path: string;
  readonly text: string;
  /** Lines added before the example's code (after its import lines). */
  readonly preludeLines: number;
}

const uses = (code: string, name: string): boolean =>
  new RegExp(`(^|[^\\w$.])${name.replace('$', '\\$')}\\b`).test(code);

/**
 * The module an example becomes. Its own `import` and `declare` lines first (blank lines
 * keep the others in place, so errors point at the right line); then, for the names it uses
 * but neither imports nor declares: the exports of its own source file
 * (a relative import, so an internal helper's example works), of its package, of the
 * framework-agnostic packages, and the ambient names; then the rest of its code, inside an
 * async function (so `return` and `await` read as they would in the handler it stands for).
 */
function exampleModule(
  example: SourceExample,
  pkg: WorkspacePackage,
  exports: {
    readonly file: readonly string[];
    readonly own: readonly string[];
    readonly shared: ReadonlyMap<string, string>;
  },
): { readonly text: string; readonly bodyStart: number } {
  // Its `import` and `declare` lines stay at the top level, wherever the example has them.
  const lines = example.code.split('\n');
  const topLevel = (line: string) => /^(import|declare)\s/.test(line);
  const importLines = lines.filter(topLevel);
  const body = lines.map((line) => (topLevel(line) ? '' : line));
  const declared = topLevelNames(example.code);
  const code = lines.filter((line) => !line.startsWith('import ')).join('\n');
  const wanted = (name: string) => !declared.has(name) && uses(code, name);
  const taken = new Set<string>();
  const take = (names: Iterable<string>) => {
    const list = [...names].filter((n) => wanted(n) && !taken.has(n));
    for (const n of list) taken.add(n);
    return list;
  };
  const prelude: string[] = [];
  const relativePath = `./${relative(join(pkg.dir, 'src'), join(ROOT, example.file)).replace(/\.ts$/, '.js')}`;
  const fromFile = take(exports.file);
  if (fromFile.length > 0) prelude.push(`import { ${fromFile.join(', ')} } from '${relativePath}';`);
  const fromOwn = take(exports.own);
  if (fromOwn.length > 0) prelude.push(`import { ${fromOwn.join(', ')} } from '${pkg.name}';`);
  const bySource = new Map<string, string[]>();
  for (const name of take(exports.shared.keys())) {
    const source = exports.shared.get(name) as string;
    bySource.set(source, [...(bySource.get(source) ?? []), name]);
  }
  for (const [source, names] of bySource) prelude.push(`import { ${names.join(', ')} } from '${source}';`);
  const ambient = { ...AMBIENT['*'], ...AMBIENT[pkg.name] };
  for (const name of take(Object.keys(ambient))) prelude.push(ambient[name] as string);
  // An example that augments a module (`declare module`, `declare global`) is module code as written.
  if (lines.some((line) => /^declare (module|global)\b/.test(line))) {
    return { text: `${[...prelude, ...lines, 'export {};'].join('\n')}\n`, bodyStart: prelude.length };
  }
  const head = [...importLines, ...prelude, 'export async function example() {'];
  return { text: `${[...head, ...body, '}'].join('\n')}\n`, bodyStart: head.length };
}

/**
 * Type-checks every ```ts block of a TSDoc `@example` in packages/*\/src and adapters/*\/src
 * (or only `examples`, when given) as a module of its package, with the compiler options of
 * the repository's tsconfig.json, and returns the errors.
 */
export function checkExamples(options: { root?: string; only?: readonly SourceExample[] } = {}): {
  readonly checked: number;
  readonly diagnostics: ExampleDiagnostic[];
} {
  const root = options.root ?? ROOT;
  const packages = workspacePackages(root);
  const compilerOpts = compilerOptions(root);
  const baseHost = ts.createCompilerHost(compilerOpts, true);
  const files = packages.flatMap((pkg) => sourceFiles(join(pkg.dir, 'src')));
  const first = ts.createProgram({ rootNames: files, options: compilerOpts, host: baseHost });
  const shared = new Map<string, string>();
  for (const name of SHARED) {
    const pkg = packages.find((p) => p.name === name);
    if (pkg !== undefined) for (const exported of exportsOf(first, pkg.entry)) shared.set(exported, name);
  }
  const examples =
    options.only ?? files.flatMap((file) => extractExamples(relative(root, file), readFileSync(file, 'utf8')));
  const virtual = new Map<string, VirtualExample>();
  for (const [index, example] of examples.entries()) {
    const absolute = join(root, example.file);
    const pkg = packages.find((p) => absolute.startsWith(`${p.dir}/`));
    if (pkg === undefined) throw new Error(`${example.file} is in no workspace package`);
    const module = exampleModule(example, pkg, {
      file: exportsOf(first, absolute),
      own: exportsOf(first, pkg.entry),
      shared,
    });
    // Inside the package's src, so that its dependencies resolve as they do for the code.
    const path = join(pkg.dir, 'src', `__example_${index}__.ts`);
    virtual.set(path, { example, path, text: module.text, preludeLines: module.bodyStart });
  }

  const host: ts.CompilerHost = {
    ...baseHost,
    fileExists: (path) => virtual.has(path) || baseHost.fileExists(path),
    readFile: (path) => virtual.get(path)?.text ?? baseHost.readFile(path),
    getSourceFile: (path, language, onError, shouldCreate) => {
      const entry = virtual.get(path);
      if (entry !== undefined) return ts.createSourceFile(path, entry.text, language, true, ts.ScriptKind.TS);
      return baseHost.getSourceFile(path, language, onError, shouldCreate);
    },
  };
  const program = ts.createProgram({
    rootNames: [...virtual.keys()],
    options: compilerOpts,
    host,
    oldProgram: first,
  });
  const diagnostics: ExampleDiagnostic[] = [];
  for (const entry of virtual.values()) {
    const file = program.getSourceFile(entry.path);
    if (file === undefined) continue;
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const at = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line;
      diagnostics.push({
        file: entry.example.file,
        line: entry.example.line + Math.max(0, at - entry.preludeLines),
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      });
    }
  }
  return { checked: virtual.size, diagnostics };
}
