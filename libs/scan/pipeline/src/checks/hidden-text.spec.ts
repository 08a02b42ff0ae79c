import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { hiddenText } from './hidden-text.js';

const html = (body: string) => `From: a@sender.test\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n${body}\r\n`;
const filler = 'river table orange window market simple garden travel pencil yellow summer';

describe('hidden_text rule', () => {
  it('flags words hidden by display:none, a zero font size or white on white', async () => {
    expect(await ruleSymbols(hiddenText, html(`<p>Buy now</p><div style="display: none">${filler}</div>`))).toEqual([['HTML_HIDDEN_TEXT', '11 hidden words (display:none)']]);
    expect(await ruleSymbols(hiddenText, html(`<p>Buy now</p><span style="font-size:0px">${filler}</span>`))).toEqual([['HTML_HIDDEN_TEXT', '11 hidden words (font-size 0 or 1)']]);
    expect(await ruleSymbols(hiddenText, html(`<body bgcolor="#FFFFFF"><p>Buy now</p><font color="white">${filler}</font></body>`))).toEqual([['HTML_HIDDEN_TEXT', '11 hidden words (text colour #ffffff on the same background)']]);
  });

  it('leaves a short hidden preheader and visible text alone', async () => {
    expect(await ruleSymbols(hiddenText, html('<div style="display:none">Your March statement</div><p>Hello</p>'))).toEqual([]);
    expect(await ruleSymbols(hiddenText, html(`<div style="display:none">x</div><p>${filler}</p>`))).toEqual([]);
  });

  it('reads hostile markup in linear time', async () => {
    const started = Date.now();
    await ruleSymbols(hiddenText, html(`${'<div style="display:none">'.repeat(20_000)}${'<'.repeat(100_000)}`));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
