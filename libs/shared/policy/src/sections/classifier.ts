import { z } from 'zod';

// Stage 3 statistical classifier (@moat/classifier). The model itself is not in the policy: the CSM stores every
// version in the JetStream Object Store bucket moat_models and the policy names the one nodes must use, so a
// retrained model reaches the fleet, is versioned and audited like any other policy change.

/** A model version: the content hash the classifier gives a model (16 hex digits). */
const modelVersion = z.string().regex(/^([0-9a-f]{16})?$/, 'must be a model version (16 hex digits) or "" for the model shipped with Moat');

export const classifierSchema = z
  .object({
    // Off until an administrator turns it on: the shipped model learned from an old public corpus and scores
    // short modern mail as spam; check it with `moat scan --json` on the site's own mail, or retrain first.
    enabled: z.boolean().default(false),
    /** The model nodes use; "" is the model shipped with Moat (every node has it, nothing to fetch). */
    modelVersion: modelVersion.default(''),
    /** BAYES_SPAM's score at spam probability 1; it grows linearly from 0 at probability 0.5. */
    spamScore: z.number().min(0).max(100).default(6),
    /** BAYES_HAM's score (negated) at spam probability 0; it grows linearly from 0 at probability 0.5. */
    hamScore: z.number().min(0).max(100).default(3),
  })
  .strict();

export type ClassifierPolicy = z.output<typeof classifierSchema>;
