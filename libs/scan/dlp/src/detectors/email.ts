import type { Detector } from './detector.js';

/**
 * E-mail addresses: a local part of at most 64 characters (not inside a longer run of them), `@`, and a domain
 * of 2-9 labels whose last is alphabetic. Bounded repeats only, so each start costs at most a few hundred steps.
 */
export const emailDetector: Detector = {
  kind: 'email',
  pattern: /(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?![A-Za-z0-9-])/g,
  accept(match) {
    const value = match[0].toLowerCase();
    const tld = value.slice(value.lastIndexOf('.') + 1);
    return /^[a-z]{2,24}$/.test(tld) ? value : undefined;
  },
  mask(value) {
    const at = value.indexOf('@');
    return `${value[0]}***${value.slice(at)}`;
  },
};
