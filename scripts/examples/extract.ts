import ts from 'typescript';

/** One fenced ```ts block of a TSDoc `@example`, with where it was found. */
export interface SourceExample {
  /** Repository-relative path of the source file. */
  readonly file: string;
  /** 1-based line of the block's first code line in that file. */
  readonly line: number;
  readonly code: string;
}

const FENCE = /^```(\w*)\s*$/;

/**
 * The ```ts blocks that follow an `@example` tag in the `/** ... *\/` comments of `source`.
 * A block runs from its fence to the closing fence; the leading ` * ` of each comment line
 * is dropped. Blocks fenced with another language (```json) are not TypeScript and skipped.
 */
export function extractExamples(file: string, source: string): SourceExample[] {
  const examples: SourceExample[] = [];
  const lines = source.split('\n');
  let inComment = false;
  let inExample = false;
  let block: string[] | undefined;
  let blockLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (!inComment && raw.trim().startsWith('/**')) inComment = true;
    if (!inComment) continue;
    const ends = raw.trim().endsWith('*/');
    const text = raw
      .replace(/^\s*(\/\*\*|\*(?!\/))\s?/, '')
      .replace(/\s*\*\/\s*$/, '')
      .trimEnd();
    if (block !== undefined) {
      if (FENCE.test(text.trim())) {
        examples.push({ file, line: blockLine, code: block.join('\n') });
        block = undefined;
      } else block.push(text);
    } else if (text.trim().startsWith('@')) {
      // A tag line starts or ends the example section.
      inExample = /^@example\b/.test(text.trim());
    } else if (inExample) {
      const fence = FENCE.exec(text.trim());
      if (fence !== null && (fence[1] === 'ts' || fence[1] === 'typescript')) {
        block = [];
        blockLine = i + 2;
      }
    }
    if (ends) {
      inComment = false;
      inExample = false;
      block = undefined;
    }
  }
  return examples;
}

/** The names an example declares or imports at its top level (the prelude must not redeclare them). */
export function topLevelNames(code: string): Set<string> {
  const file = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause !== undefined) {
      const clause = statement.importClause;
      if (clause.name !== undefined) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings !== undefined) {
        if (ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
        else for (const element of bindings.elements) names.add(element.name.text);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}
