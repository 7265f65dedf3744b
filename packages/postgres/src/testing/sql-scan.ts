import ts from 'typescript';

// The SQL-injection rule as a check on the source: a statement is a constant, and a value
// reaches PostgreSQL only as a parameter. So any SQL-looking text that is assembled at run
// time (a template literal with a `${}`, a `+` or `.concat()` of SQL text, a call of
// `query()` with text built in place) is a finding. The one sanctioned splice, the quoted
// schema, goes through `inSchema` and contains no template or concatenation itself.

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: 'template-interpolation' | 'concatenation' | 'built-query-text';
  readonly text: string;
}

/** SQL keywords in upper case (the package's convention), or SQL phrases in any case. */
const SQL_UPPER =
  /\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|TRUNCATE|GRANT|WHERE|FROM|VALUES|LISTEN|NOTIFY|UNLISTEN|RETURNING)\b/;
const SQL_PHRASE =
  /\b(?:select\s+[\w*"(]|insert\s+into\b|delete\s+from\b|update\s+[\w".]+\s+set\b|drop\s+(?:table|schema)\b|create\s+(?:table|schema|index)\b)/i;

function looksLikeSql(text: string): boolean {
  return SQL_UPPER.test(text) || SQL_PHRASE.test(text);
}

/** The literal text of a template or string node (heads and spans for a template). */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => s.literal.text).join(' ');
  return undefined;
}

/** True when any string or template inside `node` looks like SQL. */
function containsSql(node: ts.Node): boolean {
  const text = literalText(node);
  if (text !== undefined && looksLikeSql(text)) return true;
  let found = false;
  node.forEachChild((child) => {
    if (!found && containsSql(child)) found = true;
  });
  return found;
}

/** Findings in one source file's text. */
export function scanSource(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const report = (node: ts.Node, rule: Finding['rule']) =>
    findings.push({
      file,
      line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1,
      rule,
      text: node.getText(sf).slice(0, 120),
    });
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node) && looksLikeSql(literalText(node) ?? '')) {
      report(node, 'template-interpolation');
    } else if (
      ts.isBinaryExpression(node) &&
      (node.operatorToken.kind === ts.SyntaxKind.PlusToken ||
        node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) &&
      (containsSql(node.left) || containsSql(node.right))
    ) {
      report(node, 'concatenation');
      return;
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (method === 'concat' && (containsSql(node.expression.expression) || node.arguments.some(containsSql))) {
        report(node, 'concatenation');
        return;
      }
      if (method === 'join' && containsSql(node.expression.expression)) {
        report(node, 'concatenation');
        return;
      }
      const first = node.arguments[0];
      if (
        (method === 'query' || method === 'execute') &&
        first !== undefined &&
        (ts.isTemplateExpression(first) || ts.isBinaryExpression(first) || ts.isConditionalExpression(first))
      ) {
        report(node, 'built-query-text');
        return;
      }
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return findings;
}
