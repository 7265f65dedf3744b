import { probeChecks } from '@bulwark/testkit/probe';
import { describe, expect, it } from 'vitest';
import { progressDisplay } from './progress.js';

function fakeStream(isTTY: boolean, columns: number) {
  const written: string[] = [];
  const stream = { isTTY, columns, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progressDisplay', () => {
  it('is silent when stderr is not a terminal', () => {
    expect(progressDisplay(fakeStream(false, 80).stream)).toBeUndefined();
  });

  it('redraws one line, cut to the terminal width before colouring, and clears it at the end', () => {
    const { stream, written } = fakeStream(true, 24);
    const show = progressDisplay(stream);
    const check = probeChecks[0];
    if (show === undefined || check === undefined) throw new Error('expected a display and a check');
    show({ type: 'check', check, index: 0, total: 2 });
    const ESC = String.fromCharCode(27);
    const visible = (written[0] ?? '').replaceAll('\r', '').replace(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g'), '');
    expect(visible).toBe(`[1/2] ${check.id} (0 requests)`.slice(0, 23));
    show({
      type: 'result',
      result: { ...check, status: 'pass', summary: '', evidence: [], durationMs: 1 },
      index: 1,
      total: 2,
    });
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });
});
