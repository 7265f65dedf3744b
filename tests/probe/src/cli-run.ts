import { runCli } from '@bulwark/cli';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bulwark ...` in-process, as the bin does, with stdout and stderr captured. */
export async function bulwark(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    exit: (c) => {
      code = c;
    },
    version: '0.0.0-test',
    isTTY: false,
  });
  return { code, stdout, stderr };
}
