import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@bulwark/core';

export interface OpenApiPrintFlags {
  /** The export to read. Default `openapi`, then the module's default export. */
  readonly export?: string | undefined;
  /** One line instead of indented JSON. */
  readonly compact?: boolean | undefined;
}

const isDocument = (value: unknown): value is { openapi: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { openapi?: unknown }).openapi === 'string' &&
  /^3\.\d+\.\d+$/.test((value as { openapi: string }).openapi);

/**
 * Loads an app module and prints the OpenAPI document it exports: the document itself
 * (`openApiDocument(...)` of @bulwark/openapi), or a function (sync or async) that makes it.
 * The module is imported as Node imports it: JavaScript, or TypeScript under a loader
 * (`node --import tsx`).
 */
export async function openapiPrint(module: string, flags: OpenApiPrintFlags = {}): Promise<string> {
  const url = pathToFileURL(isAbsolute(module) ? module : resolve(process.cwd(), module)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      'module',
      `could not be imported: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const name = flags.export ?? ('openapi' in loaded ? 'openapi' : 'default');
  if (!(name in loaded)) throw new ConfigError('--export', `the module has no export named ${name}`);
  let value = loaded[name];
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (!isDocument(value)) {
    throw new ConfigError('--export', `${name} is not an OpenAPI 3.x document (nor a function that returns one)`);
  }
  return `${JSON.stringify(value, null, flags.compact ? undefined : 2)}\n`;
}
