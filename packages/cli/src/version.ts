import manifest from '../package.json' with { type: 'json' };

/** The package's version, from its manifest (bundled at build time). */
export const VERSION: string = manifest.version;
