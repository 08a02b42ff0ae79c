// Words that introduce a password in the languages our customers write in (Korean with its topic particle).
// Each optional word takes the spaces after it: with \s*(?:is|...)?\s*[:：]?\s* the spaces after a cue could be
// split three ways before the password was found missing (minutes on a cue followed by 250 KB of spaces).
const CUE = /(?:password|passwort|passwd|pass|pwd|pw|kennwort|mot de passe|contraseña|senha|암호|비밀번호|비번|パスワード|密码|密碼)(?:는|은|이|가)?\s*(?:(?:is|ist|est|:|：|=|-)\s*)?(?:[:：]\s*)?["'“「(]?([^\s"'”」),;]{1,64})/giu;
const TOKEN = /[^\s"'“”「」(),;:<>]{3,64}/gu;

/**
 * Candidate passwords for an encrypted archive, from the message's text: first the words right after a
 * password cue ("password: infected", "암호 1234"), then the other distinct words, in order, up to `max`.
 */
export function candidatePasswords(texts: readonly string[], max: number): string[] {
  const found: string[] = [];
  const add = (word: string): void => {
    if (word && !found.includes(word) && found.length < max) found.push(word);
  };
  // "Password: infected." ends a sentence; "s3cr3t!" may be the password itself: both are tried.
  const push = (word: string | undefined): void => {
    if (!word) return;
    add(word.replace(/(?<![.!?。])[.!?。]+$/u, ''));
    add(word);
  };
  const text = texts.join('\n').slice(0, 1024 * 1024);
  for (const match of text.matchAll(CUE)) push(match[1]);
  for (const match of text.matchAll(TOKEN)) push(match[0]);
  return found;
}
