import { describe, expect, it } from 'vitest';
import { tokenizeMessage } from './tokenize.js';

const mail = (headers: string, body: string): Buffer => Buffer.from(`${headers}\n\n${body}`, 'utf8');

describe('tokenizeMessage', () => {
  it('lower-cases words and keeps link domains, subject and sender as separate features', () => {
    const f = tokenizeMessage(
      mail('From: "Best Deals" <promo@deals.example.co.kr>\nSubject: Cheap WATCHES today\nReply-To: x@other.example', 'Buy NOW at http://www.shop.example.com/buy/now.html'),
    );
    expect(f.body).toEqual(expect.arrayContaining(['buy', 'now', 'at']));
    expect(f.meta).toEqual(expect.arrayContaining(['s:cheap', 's:watches', 'f:rd:example.co.kr', 'f:n:best', 'u:shop.example.com', 'u:example.com', 'u:p:buy']));
    expect(f.structure).toContain('r:m:otherdomain');
  });

  it('decodes base64 and quoted-printable parts in their charset', () => {
    const b64 = Buffer.from('Gewinnspiel für Sie', 'latin1').toString('base64');
    const raw = mail(
      'Subject: x\nContent-Type: multipart/mixed; boundary="b1"',
      `--b1\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${b64}\n--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nsch=C3=B6n =\nweiter\n--b1--\n`,
    );
    expect(tokenizeMessage(raw).body).toEqual(expect.arrayContaining(['gewinnspiel', 'für', 'schön', 'weiter']));
  });

  it('strips HTML to text, keeps href domains and tag names, drops scripts and styles', () => {
    const f = tokenizeMessage(
      mail('Subject: hi\nContent-Type: text/html', '<html><style>.a{color:red}</style><body><p>Click&nbsp;<a href="https://evil.example.net/x">here</a></p><script>var hidden=1</script></body></html>'),
    );
    expect(f.body).toEqual(expect.arrayContaining(['click', 'here']));
    expect(f.body).not.toContain('hidden');
    expect(f.body).not.toContain('color');
    expect(f.meta).toContain('u:evil.example.net');
    expect(f.structure).toEqual(expect.arrayContaining(['t:a', 't:p', 'm:html_only']));
  });

  it('reads how the HTML is written: short presentational attributes and style declarations, not links, text or long values', () => {
    const f = tokenizeMessage(
      mail(
        'Subject: hi\nContent-Type: text/html',
        `<table width="600" bgcolor=#FFFFFF><tr><td><font face="Arial" SIZE='+2' color="red">Big</font>` +
          `<p style="font-weight: bold; COLOR:#f00; background-image: url(http://img.example.org/very/long/path.gif)">` +
          `<img src="http://img.example.org/a.gif" alt="Free stuff" id="x1" class="${'c'.repeat(30)}"></p></td></tr></table>`,
      ),
    );
    expect(f.structure).toEqual(
      expect.arrayContaining(['t:a:table.width=600', 't:a:table.bgcolor=#ffffff', 't:a:font.face=arial', 't:a:font.size=+2', 't:a:font.color=red', 't:a:p.style.font-weight:bold', 't:a:p.style.color:#f00']),
    );
    const attributes = f.structure.filter((x) => x.startsWith('t:a:'));
    expect(attributes.some((x) => /src|alt|id=|class=|background-image/.test(x))).toBe(false);
    // Presentation is the sender's program, not evidence of its own: the regression weighs it, Fisher does not.
    expect(f.meta.some((x) => x.startsWith('t:a:'))).toBe(false);
  });

  it('describes how plain text is laid out: wrapped lines, a paragraph per line, trailing spaces', () => {
    const paragraph = 'We are pleased to offer you an exclusive opportunity '.repeat(8).trim();
    const wrapped = tokenizeMessage(mail('Subject: notes', 'Hi Bob,\n\nthe build is green again;\nI will tag the release tonight.\n\nAlice')).structure;
    // Wrapped text is the common case, a baseline rather than a feature: short mail, which has no layout, does
    // not then look like mail without plain text.
    expect(wrapped.filter((x) => x.startsWith('m:wrap:'))).toEqual([]);
    const unwrapped = tokenizeMessage(mail('Subject: offer', `Dear Friend, \n\n${paragraph}\n\n${paragraph} \n\nRegards, `)).structure;
    expect(unwrapped).toEqual(expect.arrayContaining(['m:wrap:long_lines_2', 'm:wrap:paragraph_lines', 'm:wrap:trailing_space']));
    // Fewer than three lines say nothing about a layout.
    expect(tokenizeMessage(mail('Subject: hi', 'Hello.')).structure.some((x) => x.startsWith('m:wrap:'))).toBe(false);
  });

  it('gives Korean text character bigrams and trigrams, also from EUC-KR and encoded-word subjects', () => {
    const body = new TextEncoder().encode('무료 대출 상담');
    const subject = `=?UTF-8?B?${Buffer.from('(광고) 특가', 'utf8').toString('base64')}?=`;
    const f = tokenizeMessage(Buffer.concat([Buffer.from(`Subject: ${subject}\nContent-Type: text/plain; charset=utf-8\n\n`), body]));
    expect(f.body).toEqual(expect.arrayContaining(['무료', 'c2:무료', 'c2:대출', 'c2:상담']));
    expect(f.meta).toEqual(expect.arrayContaining(['s:광고', 's:특가', 's:c2:특가']));
    expect(f.structure).toContain('m:unspaced');

    // "안녕하세요" in EUC-KR (declared with the common ks_c_5601-1987 alias).
    const euckr = Buffer.from('bec8b3e7c7cfbcbcbfe4', 'hex');
    const g = tokenizeMessage(Buffer.concat([Buffer.from('Subject: x\nContent-Type: text/plain; charset=ks_c_5601-1987\n\n'), euckr]));
    expect(g.body).toEqual(expect.arrayContaining(['안녕하세요', 'c2:안녕', 'c3:안녕하', 'c3:하세요']));
  });

  it('gives Chinese and Japanese runs character n-grams', () => {
    const f = tokenizeMessage(mail('Subject: x\nContent-Type: text/plain; charset=utf-8', '免费发票代开'));
    expect(f.body).toEqual(expect.arrayContaining(['c2:免费', 'c3:免费发', 'c2:代开']));
  });

  it('records attachment types and extensions', () => {
    const f = tokenizeMessage(
      mail(
        'Subject: invoice\nContent-Type: multipart/mixed; boundary=zz',
        '--zz\nContent-Type: text/plain\n\nsee attached\n--zz\nContent-Type: application/octet-stream; name="invoice.pdf.exe"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="invoice.pdf.exe"\n\nTVqQAAMAAAAEAAAA\n--zz--\n',
      ),
    );
    expect(f.meta).toEqual(expect.arrayContaining(['a:x:exe', 'a:t:application/octet-stream']));
    expect(f.structure).toContain('m:att:1');
  });

  it('never reads verdict headers or filter markup: stripped messages tokenise the same', () => {
    const clean = mail('From: a@b.example\nSubject: meeting notes', 'see you at noon');
    const marked = mail(
      [
        'From: a@b.example',
        'Subject: *****SPAM***** meeting notes',
        'X-Spam-Status: Yes, score=12.3 required=5.0 tests=BAYES_99',
        'X-Spam-Flag: YES',
        'X-Virus-Scanned: clamav',
        'Authentication-Results: mx.example; spf=fail',
        'X-MS-Exchange-Organization-SCL: 9',
        'X-Microsoft-Antispam: BCL:9',
        'X-Keywords: Junk',
        'X-Status: spam',
      ].join('\n'),
      'SPAM: -------------------- Start SpamAssassin results ----------------------\nSPAM: This mail is probably spam.\nSPAM: -------------------- End of SpamAssassin results ---------------------\nsee you at noon',
    );
    expect(tokenizeMessage(marked)).toEqual(tokenizeMessage(clean));
  });

  it('survives malformed input', () => {
    for (const raw of ['', 'no headers at all', 'Content-Type: multipart/mixed; boundary="x"\n\n--x\n\n--x', 'Subject: =?bogus?Q?=ZZ?=\n\n=\n=4']) {
      expect(() => tokenizeMessage(Buffer.from(raw))).not.toThrow();
    }
  });

  it('reads the text around HTML that never closes its tags, comments or blocks', () => {
    // Each of these took seconds with patterns that searched for the end again from every opening.
    const hostile = ['<a '.repeat(40000), '<a ' + 'a-'.repeat(30000) + '>', '<!--'.repeat(30000), '<script>'.repeat(20000), '<title>'.repeat(20000)];
    for (const junk of hostile) {
      const f = tokenizeMessage(mail('Subject: x\nContent-Type: text/html', `<p>before</p>${junk}<p>after</p>`));
      expect(f.body).toContain('before');
    }
    const closedLater = tokenizeMessage(mail('Subject: x\nContent-Type: text/html', '<title>Offer</title><!-- x --><p>seen</p><script>hidden()</script><p>also seen</p><!-- never closed'));
    expect(closedLater.body).toEqual(expect.arrayContaining(['offer', 'seen', 'also']));
    expect(closedLater.body).not.toContain('hidden');
  });

  it('stays linear on the inputs that made its earlier patterns backtrack', () => {
    // Each took seconds to minutes: 30 digits then "_" split 2^30 ways by "(?:[a-z]*\d+[a-z]*){2,}", and the rest
    // rescanned a run from each of its characters (letters without Cyrillic, "?" without "=", spaces, "<", "'").
    const n = 100_000;
    const cases: [string, string][] = [
      ['Subject: x', '1'.repeat(30) + '_ and ' + '1'.repeat(n) + '_'],
      ['Subject: x', 'a'.repeat(n) + ' ' + "a'".repeat(n / 2) + "'" + "'".repeat(n) + 'x'],
      ['Subject: x\nContent-Type: text/html', `<a href="http://h/${'?'.repeat(n)}">x</a><a href="http://${'1'.repeat(200)}">y</a><p style="${' '.repeat(n)}x">z</p>`],
      ['Subject: a' + ' '.repeat(n) + 'b\nDate: Mon +0000' + ' '.repeat(n) + '(x)' + ' '.repeat(n) + '!\nFrom: ' + '<'.repeat(n) + ' ' + 'a'.repeat(n), 'x'],
      ['Subject: [spam' + ' '.repeat(n), 'x'],
    ];
    for (const [headers, body] of cases) {
      const t0 = performance.now();
      tokenizeMessage(mail(headers, body));
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });

  it('tells digit codes from leetspeak and mixed scripts word by word', () => {
    const codes = tokenizeMessage(mail('Subject: x', 'Order A1B2C3 ref 2024 and x86_64 builds'));
    expect(codes.structure).not.toContain('m:obf:leet');
    expect(tokenizeMessage(mail('Subject: x', 'Order A1B2C3 or v1agra')).structure).toContain('m:obf:leet');
    expect(tokenizeMessage(mail('Subject: x', 'plain words, then \u0440ay\u0440al')).structure).toContain('m:obf:mixed_script');
    expect(tokenizeMessage(mail('Subject: x', 'plain words, \u0440\u0443\u0441\u0441\u043a\u0438\u0439 text')).structure).not.toContain('m:obf:mixed_script');
  });

  it('reads a mailed domain after a long run of word characters without "@"', () => {
    const f = tokenizeMessage(mail('Subject: x', `${'a'.repeat(200_000)} write to sales@example.org`));
    expect(f.meta).toContain('e:example.org');
  });

  it('marks text written to slip past word filters, and not ordinary text', () => {
    const obfuscated = tokenizeMessage(mail('Subject: x', 'Buy v1agra now, fr\u200bee C*O*C*K*S, \u0440ay\u0440al login'));
    expect(obfuscated.structure).toEqual(expect.arrayContaining(['m:obf:leet', 'm:obf:invisible', 'm:obf:spaced', 'm:obf:mixed_script']));
    const plain = tokenizeMessage(mail('Subject: x', 'The 2 of us meet at 10:30 in room B12 about the mp3 player and IPv4, e.g. a-b-c.'));
    expect(plain.structure.filter((f) => f.startsWith('m:obf:'))).toEqual([]);
  });

  it('marks generated subject shapes: random tokens, punctuation runs, a "Re:" that answers nothing', () => {
    const spam = tokenizeMessage(mail('Subject: Re: from heaven xB8COL5jqAf1adREAm ...', 'x'));
    expect(spam.structure).toEqual(expect.arrayContaining(['m:s:random_token', 'm:s:punct_run', 'm:s:fake_reply']));
    const reply = tokenizeMessage(mail('Subject: Re: the 2027 budget\nIn-Reply-To: <a1@example.com>', 'x'));
    expect(reply.structure.filter((f) => f.startsWith('m:s:'))).toEqual([]);
  });

  it('describes link structure and how much of an HTML body is visible text', () => {
    const f = tokenizeMessage(
      mail('Subject: x\nContent-Type: text/html', '<a href="http://x7k2.example.com/c/1234567?id=aaaaaaaaaaaaaaaaaaaaaaaa"><img src="http://img.example.org/a.gif"></a>'),
    );
    expect(f.meta).toEqual(expect.arrayContaining(['u:m:long_param', 'u:m:numeric_path', 'u:m:digit_host', 'u:m:domains:2']));
    expect(f.structure).toEqual(expect.arrayContaining(['m:img_only', 'm:html_text:0']));
  });

  it('gives subject and sender-name character 4-grams that match across spelling variants', () => {
    const a = tokenizeMessage(mail('From: "V1AGRA Store" <x@y.example>\nSubject: Cheap V1AGRA!!', 'x'));
    const b = tokenizeMessage(mail('From: "Viagra-Store" <x@y.example>\nSubject: cheapviagra', 'x'));
    expect(a.structure).toEqual(expect.arrayContaining(['s:g: che', 's:g:agra', 'f:g:v1ag', 'f:g:stor']));
    expect(b.structure).toEqual(expect.arrayContaining(['s:g: che', 's:g:agra', 'f:g:stor']));
  });

  it('describes the sender: display name against address, local-part shape, list headers, domain alignment', () => {
    const list = tokenizeMessage(
      mail(
        'From: "Ann Lee" <ann.lee-news@news.example.com>\nMessage-ID: <123.abc@mail.example.com>\nList-Id: <news.example.com>\nList-Unsubscribe: <mailto:u@example.com>\nPrecedence: bulk\nSubject: x',
        'Read more at https://www.example.com/issue/12',
      ),
    );
    expect(list.structure).toEqual(expect.arrayContaining(['m:fn:first_last', 'm:fl:a.a-a', 'm:h:list-id', 'm:h:list-unsubscribe', 'm:h:precedence:bulk', 'm:al:mid', 'm:al:link']));
    const forged = tokenizeMessage(mail('From: jsmith4821@mail.example.org\nMessage-ID: <x@other.example>\nSubject: x', 'Go to http://cheap.example.net/now'));
    expect(forged.structure).toEqual(expect.arrayContaining(['m:fn:none', 'm:fl:a9', 'm:al:nolink']));
    expect(forged.structure.filter((f) => f.startsWith('m:h:') || f === 'm:al:mid' || f === 'm:al:link')).toEqual([]);
    expect(tokenizeMessage(mail('From: "SUPER DEALS" <deals@x.example>', 'x')).structure).toContain('m:fn:caps');
    expect(tokenizeMessage(mail('From: "deals@x.example" <deals@x.example>', 'x')).structure).toContain('m:fn:addr');
  });

  it('gives a long body its opening words and its subject 4-grams as evidence, a short one neither', () => {
    const long = tokenizeMessage(mail('Subject: cheap pills', 'Dear friend, we offer the best prices. ' + 'More details follow here. '.repeat(20)));
    expect(long.meta).toEqual(expect.arrayContaining(['o:dear', 'o:friend', 's:g:chea']));
    expect(long.structure).not.toContain('s:g:chea');

    const short = tokenizeMessage(mail('Subject: cheap pills', 'Dear friend, hello.'));
    expect(short.meta.filter((f) => f.startsWith('o:'))).toEqual([]);
    expect(short.structure).toContain('s:g:chea');
    expect(short.meta).not.toContain('s:g:chea');
  });
});
