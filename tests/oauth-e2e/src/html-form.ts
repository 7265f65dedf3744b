/**
 * Just enough HTML to submit a sign-in form the way a browser would: the form's action and
 * method, and every named input with its value (hidden CSRF fields included). Tags and
 * attributes follow the HTML tokenizer's rules for quoted and unquoted values; comments,
 * scripts and styles are skipped so that nothing inside them is taken for a field.
 */

export interface HtmlForm {
  readonly action: URL;
  readonly method: string;
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly type: string; readonly value: string }>;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references a server's HTML escaping produces. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return NAMED[ref] ?? whole;
  });
}

const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** The attributes of one start tag's inside (after the tag name), names lower-cased, values decoded. */
export function parseAttributes(inside: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of inside.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase();
    // The first occurrence of an attribute wins, as in the HTML tokenizer.
    if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

const IGNORED = /<!--[\s\S]*?-->|<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi;
const TAG = /<(form|input|\/form)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;

/** The forms of `html`, their actions resolved against `pageUrl`. */
export function parseForms(html: string, pageUrl: URL): HtmlForm[] {
  const forms: Array<{ action: URL; method: string; inputs: HtmlForm['inputs'][number][] }> = [];
  let open: (typeof forms)[number] | undefined;
  for (const match of html.replace(IGNORED, '').matchAll(TAG)) {
    const tag = (match[1] ?? '').toLowerCase();
    const attributes = parseAttributes(match[2] ?? '');
    if (tag === 'form') {
      const action = attributes.get('action') ?? '';
      open = {
        action: new URL(action === '' ? pageUrl.href : action, pageUrl),
        method: (attributes.get('method') ?? 'get').toLowerCase(),
        inputs: [],
      };
      forms.push(open);
    } else if (tag === '/form') {
      open = undefined;
    } else if (open !== undefined && attributes.has('name')) {
      open.inputs.push({
        name: attributes.get('name') ?? '',
        type: (attributes.get('type') ?? 'text').toLowerCase(),
        value: attributes.get('value') ?? '',
      });
    }
  }
  return forms;
}

/**
 * The body a browser would post for `form` after the user typed `typed` into its fields:
 * every named input (buttons aside) with its value. A typed field the form lacks is an error.
 */
export function formBody(form: HtmlForm, typed: Readonly<Record<string, string>>): URLSearchParams {
  const body = new URLSearchParams();
  for (const name of Object.keys(typed)) {
    if (!form.inputs.some((input) => input.name === name)) throw new Error(`the form has no field named ${name}`);
  }
  for (const input of form.inputs) {
    if (['submit', 'button', 'image', 'reset', 'file'].includes(input.type)) continue;
    if ((input.type === 'checkbox' || input.type === 'radio') && !(input.name in typed)) continue;
    body.append(input.name, typed[input.name] ?? input.value);
  }
  return body;
}
