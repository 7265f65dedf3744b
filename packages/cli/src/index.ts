export { type ProbeFlags, probeCommand, probeOptions } from './probe-command.js';
export { createProgram, type ProgramIo, runCli } from './program.js';
export { progressDisplay } from './progress.js';
export { toJUnit } from './report/junit.js';
export { SARIF_SCHEMA, toSarif } from './report/sarif.js';
export { byRisk, formatReport } from './report/text.js';
