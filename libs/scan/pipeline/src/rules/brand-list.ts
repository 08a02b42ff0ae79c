import type { RulesPolicy } from '@moat/policy';
import { BRANDS } from './lists/brands.js';

/** A brand as the rules match it: its name in comparable form and the domains it really sends from. */
export interface Brand {
  name: string;
  comparable: string;
  domains: readonly string[];
  /** Written in Hangul: Korean particles follow the name without a space. */
  korean: boolean;
}

const HANGUL = /[\uac00-\ud7af]/u;

const compiled = new WeakMap<RulesPolicy, Brand[]>();

/** The maintained brand list with the policy's own brands (`body.rules.brands`) added, prepared once per policy. */
export function brandList(rules: RulesPolicy): Brand[] {
  let brands = compiled.get(rules);
  if (!brands) {
    brands = Object.entries({ ...BRANDS, ...rules.brands }).map(([name, domains]) => ({ name, comparable: name.toLowerCase(), domains, korean: HANGUL.test(name) }));
    compiled.set(rules, brands);
  }
  return brands;
}
