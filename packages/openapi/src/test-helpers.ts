import { compileErrors, validate } from '@readme/openapi-parser';
import { Validator } from '@seriousme/openapi-schema-validator';

/**
 * Every problem two maintained validators find in a document: the OpenAPI 3.1 JSON Schema
 * (with its schema dialect) by @seriousme/openapi-schema-validator, and the rules that
 * schema cannot express (path parameters declared, unique operationIds...) by
 * @readme/openapi-parser. Both get a copy: the second dereferences in place.
 */
export async function documentProblems(document: unknown): Promise<string[]> {
  const problems: string[] = [];
  const schema = await new Validator().validate(structuredClone(document) as Record<string, unknown>);
  if (!schema.valid) problems.push(`schema: ${JSON.stringify(schema.errors, null, 1)}`);
  const spec = await validate(structuredClone(document) as never);
  if (!spec.valid) problems.push(`spec: ${compileErrors(spec)}`);
  if (spec.warnings.length > 0) problems.push(`spec warnings: ${compileErrors(spec)}`);
  return problems;
}
