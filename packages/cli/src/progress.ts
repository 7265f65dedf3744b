import type { ProbeProgress } from '@bulwark/testkit/probe';
import picocolors from 'picocolors';

/**
 * A one-line progress display on a terminal (stderr, redrawn in place): the check running,
 * its place in the list and the requests sent. Nothing at all when stderr is not a TTY, so
 * CI logs and redirected output stay clean.
 */
export function progressDisplay(
  stream: NodeJS.WriteStream = process.stderr,
): ((event: ProbeProgress) => void) | undefined {
  if (!stream.isTTY) return undefined;
  const pc = picocolors.createColors(!process.env.NO_COLOR);
  let current = '';
  let sent = 0;
  const draw = () => {
    // Cut the plain text to the terminal's width, then colour it: escapes take no columns.
    const width = Math.max(20, (stream.columns || 80) - 1);
    const line = `${current} (${sent} requests)`.slice(0, width);
    stream.write(`\r\x1b[2K${pc.cyan(line)}`);
  };
  return (event) => {
    if (event.type === 'check') {
      current = `[${event.index + 1}/${event.total}] ${event.check.id}`;
      draw();
    } else if (event.type === 'answer') {
      sent = event.sent;
      if (sent % 10 === 0) draw();
    } else if (event.index + 1 === event.total) {
      stream.write('\r\x1b[2K');
    }
  };
}
