import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntities, formBody, parseForms } from './html-form.js';

const PAGE = new URL('http://127.0.0.1:3000/oauth/authorize?client_id=notes-spa');

/** How a server might escape an attribute value: by name, decimal or hex references. */
const escapers: ReadonlyArray<(text: string) => string> = [
  (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  (text) => text.replace(/[&"'<>]/g, (c) => `&#${c.codePointAt(0)};`),
  (text) => text.replace(/[&"'<>]/g, (c) => `&#x${(c.codePointAt(0) ?? 0).toString(16)};`),
];

describe('the sign-in form parser', () => {
  it('reads back every hidden field and the action, whatever the escaping and quoting', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/), fc.string({ unit: 'grapheme' })), {
          selector: ([name]) => name,
          maxLength: 5,
        }),
        fc.stringMatching(/^\/[a-z]{1,10}(\/[a-z]{1,10})?(\?[a-z=&]{0,10})?$/),
        fc.constantFrom(...escapers),
        fc.boolean(),
        (fields, action, escapeValue, single) => {
          const quote = (value: string) =>
            single ? `'${escapeValue(value).replace(/'/g, '&#39;')}'` : `"${escapeValue(value)}"`;
          const inputs = fields.map(([name, value]) => `<INPUT type=hidden name=${quote(name)} value=${quote(value)}>`);
          const html = `<!-- <form action="/decoy"> --><main><form method="POST" action=${quote(action)}>${inputs.join('\n')}<input type="email" name="email"><input name=password type=password><button>Sign in</button></form></main>`;
          const [form, ...rest] = parseForms(html, PAGE);
          expect(rest).toEqual([]);
          expect(form?.method).toBe('post');
          expect(form?.action.href).toBe(new URL(action, PAGE).href);
          const body = formBody(form ?? { action: PAGE, method: 'post', inputs: [] }, { email: 'e', password: 'p' });
          expect([...body]).toEqual([...fields, ['email', 'e'], ['password', 'p']]);
        },
      ),
    );
  });

  it('skips fields inside comments and scripts, and takes an empty action for the page itself', () => {
    const html = `<form method=post><script>const s = '<input name="x" value="1">';</script><!-- <input name=y> --><input name=z value=3></form>`;
    const [form] = parseForms(html, PAGE);
    expect(form?.action.href).toBe(PAGE.href);
    expect(form?.inputs.map((input) => input.name)).toEqual(['z']);
  });

  it('refuses to type into a field the form does not have', () => {
    const [form] = parseForms('<form method=post><input name=email></form>', PAGE);
    expect(() => formBody(form ?? { action: PAGE, method: 'post', inputs: [] }, { password: 'p' })).toThrow(
      /no field named password/,
    );
  });

  it('decodes named, decimal and hex references and leaves unknown ones alone', () => {
    expect(decodeEntities('&lt;a&gt; &amp;amp; &#39;&#x27; &unknown; &#x1F600;')).toBe("<a> &amp; '' &unknown; 😀");
  });
});
