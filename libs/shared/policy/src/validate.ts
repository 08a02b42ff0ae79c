import { policySchema, type Policy } from './schema.js';

export class PolicyValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid policy:\n  ${problems.join('\n  ')}`);
    this.name = 'PolicyValidationError';
  }
}

/** Parses and validates a policy (object or JSON text), filling defaults. Throws PolicyValidationError. */
export function parsePolicy(input: unknown): Policy {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new PolicyValidationError([`not valid JSON: ${(err as Error).message}`]);
    }
  }
  const result = policySchema.safeParse(value);
  if (!result.success) {
    throw new PolicyValidationError(result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`));
  }
  return result.data;
}

/** The policy a node runs before it has ever heard from the CSM: relays nothing, since it serves no domain. */
export function defaultPolicy(): Policy {
  return parsePolicy({});
}
