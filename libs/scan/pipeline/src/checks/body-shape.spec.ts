import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { bodyShape } from './body-shape.js';

const html = (body: string) => `From: a@sender.test\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n${body}\r\n`;
const prose = 'We met on Tuesday to go over the plan for the next quarter and agreed on the budget, the hires and the launch date.';

describe('body_shape rule', () => {
  it('flags HTML without a text part, and HTML that is only an image', async () => {
    expect(await ruleSymbols(bodyShape, html(`<p>${prose}</p>`))).toEqual([['HTML_ONLY', 'text/html without a text/plain part']]);
    expect(await ruleSymbols(bodyShape, html('<a href="http://x.test/"><img src="http://x.test/offer.png"></a><p>Click</p>'))).toEqual([
      ['HTML_ONLY', 'text/html without a text/plain part'],
      ['IMAGE_ONLY', '1 image(s), 1 word(s) of text'],
    ]);
  });

  it('leaves a plain message and an HTML one with text and a logo alone', async () => {
    expect(await ruleSymbols(bodyShape, `From: a@sender.test\r\nSubject: s\r\n\r\n${prose}\r\n`)).toEqual([]);
    const both = ['From: a@sender.test', 'Subject: s', 'Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: text/plain', '', prose, '--b', 'Content-Type: text/html', '', `<img src="logo.png"><p>${prose}</p>`, '--b--', ''].join('\r\n');
    expect(await ruleSymbols(bodyShape, both)).toEqual([]);
  });
});
