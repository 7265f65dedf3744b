import { type Command, Option } from 'commander';
import type { ProgramIo } from './program.js';

const KEYS_HELP = `
Examples:
  # a key for seeding a test store: the key (shown this once) and its record (the hash)
  $ bulwark keys create --owner user-1 --name ci --scopes notes:read notes:write
  # hashed with the API's pepper (base64url, from the environment), a test key, 30 days
  $ API_KEY_PEPPER=... bulwark keys create --owner svc-reports --name reports --scopes reports:write --environment test --expires-in 30d
`;

const JWKS_HELP = `
The keyring file holds private keys sealed with AES-256-GCM under the key-encryption key
(KEY_ENCRYPTION_KEY, 32 bytes base64url; keep it in a secret store, never beside the file).

Examples:
  $ export KEY_ENCRYPTION_KEY=$(openssl rand 32 | basenc --base64url | tr -d =)
  $ bulwark jwks generate --file keyring.json --alg EdDSA    # prints the public JWK Set
  $ bulwark jwks rotate --file keyring.json                  # the successor, published now
  $ bulwark jwks show --file keyring.json > jwks.json        # serve at /.well-known/jwks.json
  $ bulwark jwks show --file keyring.json --status           # every key's state
`;

const TOKEN_HELP = `
Offline: decodes the token and lists every problem the strict verifier of @bulwark/tokens
would find (alg, typ at+jwt, kid, jku/x5u/jwk/x5c, crit, exp/iat/nbf, iss, aud, sub, jti,
client_id, size, non-canonical base64url, duplicate members). With --jwks, --issuer and
--audience the verifier itself runs on the token. Exit 1 when a problem is found.

Examples:
  $ bulwark token inspect eyJhbGciOi...
  $ bulwark token inspect "$TOKEN" --issuer http://127.0.0.1:3000 --audience notes-api --jwks jwks.json --json
`;

const OPENAPI_HELP = `
The module exports the document (openApiDocument(...) of @bulwark/openapi) or a function,
sync or async, that returns it; the export is \`openapi\` (else the default export) unless
--export names another. TypeScript modules need a loader: node --import tsx $(which bulwark) ...

Examples:
  $ bulwark openapi ./dist/openapi.js > openapi.json
  $ bulwark openapi ./dist/app.js --export apiDocument --compact
`;

/** `keys`, `jwks`, `token` and `openapi`: thin wrappers over @bulwark/api-keys and @bulwark/tokens, loaded only when run. */
export function addToolCommands(program: Command, io: ProgramIo): void {
  const keys = program.command('keys').description('API keys (@bulwark/api-keys)').addHelpText('after', KEYS_HELP);
  keys
    .command('create')
    .description('create an API key and the record that seeds a store')
    .requiredOption('--owner <id>', 'the owner id')
    .requiredOption('--scopes <scope...>', 'the key scopes')
    .option('--name <name>', 'a label', 'cli')
    .option('--expires-in <duration>', 'e.g. 30d, or never (default: the library default, 90d)')
    .option('--prefix <prefix>', 'the key prefix (default bwk)')
    .option('--environment <env>', 'live or test')
    .addOption(new Option('--pepper <base64url>', "the API's hashing pepper (32+ bytes)").env('API_KEY_PEPPER'))
    .addHelpText('after', KEYS_HELP)
    .action(async (flags) => {
      const { keysCreate } = await import('./tools/keys.js');
      io.stdout(await keysCreate(flags));
      io.exit(0);
    });

  const jwks = program
    .command('jwks')
    .description('a private keyring file and its public JWK Set (@bulwark/tokens)')
    .addHelpText('after', JWKS_HELP);
  const kek = (cmd: Command) =>
    cmd
      .requiredOption('--file <path>', 'the keyring file')
      .addOption(new Option('--kek <base64url>', 'the key-encryption key').env('KEY_ENCRYPTION_KEY'))
      .addHelpText('after', JWKS_HELP);
  kek(jwks.command('generate').description('create a keyring file with one signing key'))
    .option('--alg <alg>', 'ES256, ES384, EdDSA, RS256 or PS256', 'ES256')
    .action(async (flags) => {
      const { jwksGenerate } = await import('./tools/jwks.js');
      io.stdout(await jwksGenerate(flags));
      io.exit(0);
    });
  kek(jwks.command('rotate').description('add the successor key (published now, signing after publishAhead)'))
    .option('--alg <alg>', "the successor's algorithm (default: the newest key's)")
    .action(async (flags) => {
      const { jwksRotate } = await import('./tools/jwks.js');
      io.stdout(await jwksRotate(flags));
      io.exit(0);
    });
  kek(jwks.command('show').description('print the public JWK Set'))
    .option('--status', "every key's state instead")
    .action(async (flags) => {
      const { jwksShow } = await import('./tools/jwks.js');
      io.stdout(await jwksShow(flags));
      io.exit(0);
    });

  program
    .command('openapi')
    .description('print the OpenAPI document an app module exports (@bulwark/openapi)')
    .argument('<module>', 'the module file')
    .option('--export <name>', 'the export to read (default: openapi, else default)')
    .option('--compact', 'one line')
    .addHelpText('after', OPENAPI_HELP)
    .action(async (module: string, flags) => {
      const { openapiPrint } = await import('./tools/openapi-print.js');
      io.stdout(await openapiPrint(module, flags));
      io.exit(0);
    });

  const token = program
    .command('token')
    .description('access tokens (@bulwark/tokens)')
    .addHelpText('after', TOKEN_HELP);
  token
    .command('inspect')
    .description('decode a JWT and list every problem the strict verifier would find')
    .argument('<jwt>', 'the token')
    .option('--issuer <iss>', 'the expected issuer')
    .option('--audience <aud>', 'the expected audience')
    .option('--jwks <file>', 'a JWK Set file: run the verifier itself')
    .option('--json', 'as JSON')
    .addHelpText('after', TOKEN_HELP)
    .action(async (jwt: string, flags) => {
      const { tokenInspect } = await import('./tools/token-inspect.js');
      const { output, code } = await tokenInspect(jwt, flags);
      io.stdout(output);
      io.exit(code);
    });
}
