// Wording of payment-diversion (BEC) and pressure phishing, in English and Korean. Each pattern is one
// cue; the check reports which fired. Korean allows the spaces to be left out, as people often write.
// An optional word takes the spaces after it, (?:word\s*)?, never \s*(?:word)?\s*: that splits a run of spaces
// between the two \s* in every way, and a pattern starting with \s* is tried from every space of a run (minutes
// on a Korean body of 250 KB of spaces).

/** The cues of one kind: the Korean ones only run on text with Hangul in it (a long English body skips them). */
interface Cues {
  english: readonly RegExp[];
  korean: readonly RegExp[];
}

const PAYMENT_CHANGE: Cues = {
  english: [
    /\b(?:new|updated|changed|different)\s+(?:bank(?:ing)?|account|payment|remittance|wire|wiring)\s+(?:details|information|info|account|instructions)\b/i,
    /\b(?:bank(?:ing)?|account|payment|remittance)\s+(?:details|information|instructions)\s+(?:have|has)\s+(?:been\s+)?(?:changed|updated)\b/i,
    /\bchange\s+(?:of|in|to)\s+(?:our\s+|my\s+)?(?:bank(?:ing)?|account|payment|remittance|direct\s+deposit)\s+(?:details|information|account)\b/i,
    /\b(?:update|change)\s+(?:our|my|the|your)\s+(?:bank(?:ing)?|payment|remittance|vendor|direct\s+deposit|payroll)\s+(?:details|information|account)\b/i,
    /\b(?:send|wire|transfer|remit)\s+(?:the\s+|all\s+)?(?:payment|funds|invoice\s+amount)s?\s+to\s+(?:our\s+|the\s+)?new\s+account\b/i,
  ],
  korean: [
    /(?:(?:입금|결제|송금|거래|수금|대금)\s*)?(?:계좌|계좌\s*번호|거래\s*은행)\s*(?:(?:가|이|를|을|정보)\s*)?(?:변경|바뀌|교체)/u,
    /(?:새로운|새|변경된|신규)\s*(?:입금\s*|결제\s*|송금\s*)?계좌/u,
    /(?:아래|다음|하기|이|새)\s*계좌로\s*(?:입금|송금|이체|결제)/u,
  ],
};

const URGENCY: Cues = {
  english: [
    /\burgent(?:ly)?\b/i,
    /\b(?:immediately|right\s+away|as\s+soon\s+as\s+possible|asap)\b/i,
    /\bwithin\s+(?:24|48|72|12)\s+hours\b/i,
    /\b(?:account|mailbox|password)\s+(?:will\s+be|has\s+been|is)\s+(?:suspended|locked|closed|disabled|terminated|deactivated|deleted)\b/i,
    /\bverify\s+your\s+(?:account|identity|password|mailbox|payment)\b/i,
    /\b(?:action\s+required|final\s+(?:notice|warning|reminder)|last\s+warning)\b/i,
  ],
  korean: [
    /긴급|지급\s*요망/u,
    /즉시|지금\s*바로|당장/u,
    /(?:24|48|12)\s*시간\s*(?:이내|안에|내)|오늘\s*(?:중|안)/u,
    /(?:계정|계좌|메일함|비밀번호)\s*(?:(?:이|가|을|를)\s*)?(?:정지|잠금|잠겼|차단|중지|해지|삭제|만료)/u,
    /본인\s*(?:확인|인증)/u,
    /최종\s*(?:경고|통보|안내)/u,
  ],
};

// Asking the reader to hand over a password or card: the sign of credential phishing whatever the brand.
const CREDENTIALS: Cues = {
  english: [
    /\b(?:confirm|verify|update|validate|re-?enter|provide|enter)\s+your\s+(?:password|login|credentials|account\s+(?:details|information)|billing\s+(?:details|information)|card\s+(?:details|number)|social\s+security\s+number|pin)\b/i,
    /\b(?:log\s?in|sign\s?in)\s+(?:to|into)\s+(?:your\s+)?(?:account|mailbox|webmail)\s+(?:to|and)\s+(?:verify|confirm|restore|unlock|reactivate|avoid|keep)\b/i,
    /\b(?:your\s+)?(?:password|mailbox|account)\s+(?:expires|will\s+expire|has\s+expired)\b/i,
    /\b(?:unusual|suspicious)\s+(?:sign-?in|login)\s+(?:activity|attempt)\b/i,
  ],
  korean: [
    /(?:비밀번호|패스워드|계정\s*정보|카드\s*번호|보안\s*카드|OTP)\s*(?:(?:를|을)\s*)?(?:입력|확인|재입력|변경|업데이트)\s*(?:해\s*주|하여|하시|바랍|부탁)/u,
    /(?:로그인|접속)\s*(?:하여|후|해서)\s*(?:본인\s*)?(?:인증|확인|계정\s*확인)/u,
    /(?:비밀번호|계정)\s*(?:(?:가|이)\s*)?만료/u,
  ],
};

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/u;

/** The phrases that matched, at most one per cue. */
function cues(kind: Cues, texts: readonly string[]): string[] {
  const found: string[] = [];
  const korean = texts.filter((text) => HANGUL.test(text));
  for (const [patterns, searched] of [[kind.english, texts], [kind.korean, korean]] as const) {
    for (const pattern of patterns) find(pattern, searched, found);
  }
  return found;
}

function find(pattern: RegExp, texts: readonly string[], found: string[]): void {
  for (const text of texts) {
    const match = pattern.exec(text);
    if (match) {
      found.push(match[0].replace(/\s+/g, ' ').trim());
      return;
    }
  }
}

export const paymentChangeCues = (texts: readonly string[]): string[] => cues(PAYMENT_CHANGE, texts);
export const credentialCues = (texts: readonly string[]): string[] => cues(CREDENTIALS, texts);
export const urgencyCues = (texts: readonly string[]): string[] => cues(URGENCY, texts);
