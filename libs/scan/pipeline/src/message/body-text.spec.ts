import { describe, expect, it } from 'vitest';
import { BODY_TEXT_MAX, bodyText } from './body-text.js';

describe('bodyText', () => {
  it('takes the text part, else the visible text of the HTML, with whitespace collapsed', () => {
    expect(bodyText({ text: 'Hello\r\n\r\n  world\n', html: '<p>ignored</p>' })).toBe('Hello world');
    expect(bodyText({ text: '', html: '<html><head><style>p{}</style></head><body><p>Quarterly <b>report</b></p><script>var x</script></body></html>' })).toMatch(/^Quarterly report/);
    expect(bodyText({ text: '', html: '' })).toBe('');
  });

  it('keeps at most BODY_TEXT_MAX characters', () => {
    expect(bodyText({ text: 'word '.repeat(10_000), html: '' })).toHaveLength(BODY_TEXT_MAX);
  });
});
