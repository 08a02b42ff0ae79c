import { z } from 'zod';

// Stage 3 statistical classifier (@moat/classifier). The model itself is not in the policy: the CSM stores every
// version in the JetStream Object Store bucket moat_models and the policy names the one nodes must use, so a
// retrained model reaches the fleet, is versioned and audited like any other policy change.

/** A model version: the content hash the classifier gives a model (16 hex digits). */
const modelVersion = z.string().regex(/^([0-9a-f]{16})?$/, 'must be a model version (16 hex digits) or "" for the model shipped with Moat');

export const classifierSchema = z
  .object({
    // On by default: a fresh cluster filters spam with the shipped model. BAYES_SPAM scores from spam
    // probability 0.75 (below it the classifier is unsure) and alone reaches the default tag score 5 at 0.9423
    // (spamScore 6.5), where the classifier alone put 0 of 1158 held-out ham on the group/time split
    // (benchmarks/RESULTS-eval.md).
    // The shipped model learned from 2002-era mail: retrain on the site's own with `moat train`.
    enabled: z.boolean().default(true),
    /** The model nodes use; "" is the model shipped with Moat (every node has it, nothing to fetch). */
    modelVersion: modelVersion.default(''),
    /** BAYES_SPAM's score at spam probability 1; it grows linearly from 0 at probability 0.75. */
    spamScore: z.number().min(0).max(100).default(6.5),
    /** BAYES_HAM's score (negated) at spam probability 0; it grows linearly from 0 at probability 0.5. */
    hamScore: z.number().min(0).max(100).default(3),
  })
  .strict();

export type ClassifierPolicy = z.output<typeof classifierSchema>;
