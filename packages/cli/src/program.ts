import { Command, Option } from 'commander';
import type { ProbeFlags } from './probe-command.js';
import { addToolCommands } from './tool-commands.js';

export interface ProgramIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where the exit code goes (process.exitCode in the bin). */
  readonly exit: (code: number) => void;
  readonly version: string;
  /** stderr is a terminal: the progress display is for terminals only. */
  readonly isTTY: boolean;
  /** Colour the report (stdout is a terminal and NO_COLOR is unset). Default false. */
  readonly color?: boolean;
}

const PROBE_HELP = `
Examples:
  # the demo, with a login recipe (the authenticated, token and session checks run too)
  $ bulwark probe http://127.0.0.1:3000 --openapi /openapi.json --origin http://localhost:5173 \\
      --login '{"path":"/auth/login","body":{"email":"alice@example.com","password":"alice-demo-password"},"refresh":{"path":"/auth/refresh"}}'

  # a token from the environment (keeps it out of shell history), reports for CI
  $ BULWARK_TOKEN=eyJ... bulwark probe http://localhost:8080 --protected /v2/users/me --junit probe.xml --sarif probe.sarif

  # only the CORS and token checks, as JSON
  $ bulwark probe http://localhost:8080 --only cors token --json

  # list the checks
  $ bulwark probe --list

Safety:
  The probe sends attack traffic: forged tokens, bursts until a 429, oversized bodies,
  injection strings. It refuses any host other than localhost, 127.0.0.0/8 and ::1 unless
  --i-own-this-target is given: probing a system you do not own or are not authorised to
  test is an attack, and in many places a crime. It sends at most --budget requests at
  --rate per second, and only GET, HEAD, OPTIONS and TRACE unless --allow-writes (the
  login recipe's POSTs are always sent: you named them).

Exit codes: 0 no check failed, 1 a check failed, 2 the probe could not run (bad options, target refused).
`;

/**
 * The `bulwark` command line (commander). `io` is injected so tests run it in-process.
 *
 * @example
 * ```ts
 * const program = createProgram({ stdout: console.log, stderr: console.error, exit: (c) => { process.exitCode = c; }, version: '1.0.0', isTTY: false });
 * console.log(program.helpInformation());
 * ```
 */
export function createProgram(io: ProgramIo): Command {
  const program = new Command('bulwark')
    .description('API security checks and tools for Bulwark and any HTTP API.')
    .version(io.version, '-v, --version')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(bulwark --help shows the commands)')
    .addHelpText(
      'after',
      `
Examples:
  $ bulwark probe http://127.0.0.1:3000 --openapi /openapi.json
  $ bulwark keys create --owner user-1 --scopes notes:read
  $ bulwark jwks generate --file keyring.json
  $ bulwark token inspect eyJhbGciOi...
  $ bulwark <command> --help`,
    );

  program
    .command('probe')
    .description('Probe an HTTP API for what a secure API answers (CORS, headers, problems, limits, tokens, sessions).')
    .argument('[base-url]', 'the API, e.g. http://127.0.0.1:3000')
    .option('--openapi <file|path>', 'an OpenAPI 3.x JSON document: a file, or a path on the target (/openapi.json)')
    .addOption(new Option('--token <jwt>', 'a valid access token for the authenticated checks').env('BULWARK_TOKEN'))
    .addOption(new Option('--api-key <key>', 'a valid API key').env('BULWARK_API_KEY'))
    .option(
      '--signing-key <jwk-file>',
      "the API's private signing key (JWK or JWK Set): claim checks then send validly signed tokens",
    )
    .option('--api-key-header <name>', 'the header an API key goes in', 'x-api-key')
    .option('--login <json>', 'a login recipe: {"path","body","token"?,"refresh"?:{"path","field"?}}')
    .option('--origin <origin>', 'an origin the API allows (CORS look-alikes are derived from it)')
    .option('--protected <path...>', 'protected GET paths (besides the OpenAPI document)')
    .option('--deprecated <path...>', 'deprecated GET paths (besides the OpenAPI document)')
    .option('--jwks <path>', 'where the public JWK Set is', '/.well-known/jwks.json')
    .option('--budget <n>', 'the most requests of the run', '600')
    .option('--rate <n>', 'the most requests per second', '50')
    .option('--timeout <ms>', 'per request', '10000')
    .option('--allow-writes', 'also send POST, PUT, PATCH and DELETE (body and 405 checks)')
    .option('--i-own-this-target', 'probe a host that is not loopback (see Safety below)')
    .option('--header <name:value...>', 'a header for every request')
    .option('--only <id...>', 'only these checks or groups (cors, token, token.alg-none, ...)')
    .option('--list', 'list the checks and exit')
    .option('--json', 'print the report as JSON')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--sarif <file>', 'write a SARIF 2.1.0 report')
    .addHelpText('after', PROBE_HELP)
    .action(async (baseUrl: string | undefined, flags: ProbeFlags & { list?: boolean }) => {
      if (flags.list) {
        const { listChecks } = await import('./list-checks.js');
        io.stdout(listChecks());
        return io.exit(0);
      }
      if (baseUrl === undefined) {
        // Loaded here, not at the top: `bulwark --help` starts without @bulwark/core.
        const { ConfigError } = await import('@bulwark/core');
        throw new ConfigError('base-url', 'missing: bulwark probe <base-url> (see --help)');
      }
      const { probeCommand } = await import('./probe-command.js');
      const { progressDisplay } = await import('./progress.js');
      const progress = io.isTTY ? progressDisplay() : undefined;
      io.exit(
        await probeCommand(baseUrl, flags, {
          stdout: io.stdout,
          version: io.version,
          ...(progress ? { progress } : {}),
        }),
      );
    });
  addToolCommands(program, io);
  return program;
}

const FLAG_NAMES: Readonly<Record<string, string>> = {
  iOwnThisTarget: '"--i-own-this-target"',
  baseUrl: '"<base-url>"',
  origin: '"--origin"',
  login: '"--login"',
  openapi: '"--openapi"',
  routes: '"--protected/--deprecated"',
  budget: '"--budget"',
  rate: '"--rate"',
  timeoutMs: '"--timeout"',
};

/**
 * Runs the command line: errors are one line on stderr and exit code 2 (1 is kept for a
 * failed check).
 *
 * @example
 * ```ts
 * await runCli(['probe', 'http://127.0.0.1:3000', '--json'], {
 *   stdout: (t) => process.stdout.write(t),
 *   stderr: (t) => process.stderr.write(t),
 *   exit: (c) => { process.exitCode = c; },
 *   version: '1.0.0',
 *   isTTY: false,
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: ProgramIo): Promise<void> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    const code = (err as { code?: string }).code;
    // commander already printed its own error (one line) or the help / version.
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return io.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) return io.exit(2);
    // The library names its options as in code; say them as the flags the user typed.
    const message = (err as Error).message.split('\n')[0] ?? '';
    io.stderr(`bulwark: ${message.replace(/"(\w+)"/, (whole, name: string) => FLAG_NAMES[name] ?? whole)}\n`);
    io.exit(2);
  }
}
