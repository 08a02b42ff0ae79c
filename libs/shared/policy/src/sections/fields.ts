import { isIP } from 'node:net';
import { z } from 'zod';

// Field types shared by the policy's sections (schema.ts and sections/*.ts).

export const ipOrCidr = z.string().refine(isIpOrCidr, { message: 'must be an IPv4/IPv6 address or CIDR block' });

export const domainName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i, 'must be a domain name')
  .transform((d) => d.toLowerCase());

/** A sender entry: a full address (user@example.com), a domain (example.com) or a domain with subdomains (.example.com). */
export const senderPattern = z
  .string()
  .regex(/^([^@\s]+@)?\.?[^@\s.]+(\.[^@\s.]+)+$|^[^@\s]+@[^@\s]+$/, 'must be an address, a domain, or .domain for subdomains')
  .transform((s) => s.toLowerCase());

export function isIpOrCidr(value: string): boolean {
  const [addr, bits, ...rest] = value.split('/');
  if (rest.length > 0 || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}
