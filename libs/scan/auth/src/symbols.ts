/**
 * A named finding of sender authentication (Rspamd's symbol). Scores are 0 here: the policy weighs them.
 * The pipeline adds the stage when it records them.
 */
export interface AuthSymbol {
  name: string;
  score: number;
  detail: string;
}

export const authSymbol = (name: string, detail: string): AuthSymbol => ({ name, score: 0, detail });
