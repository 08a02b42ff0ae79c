import { countMessage } from './fisher.js';
import { DEFAULT_FTRL, FtrlState, type FtrlOptions } from './ftrl.js';
import { modelVersion, vectorize, type SpamModel } from './model.js';
import { tokenizeMessage } from './tokenize.js';

/**
 * Learns labelled messages one at a time into a model, in place, as they arrive (the TREC "immediate feedback"
 * protocol of `moat eval`): each message's evidence buckets are counted for the Fisher evidence and the
 * regression takes one FTRL-Proximal step on it, every message, right or wrong. Nothing is retrained and the
 * calibration stays as it was. The FTRL state starts from the model's weights with no gradient history (its
 * training history is not stored in a model file), so a trained model's weights move at the first step's rate.
 */
export class OnlineLearner {
  private readonly ftrl: FtrlState;

  constructor(
    readonly model: SpamModel,
    opts: FtrlOptions = DEFAULT_FTRL,
  ) {
    this.ftrl = FtrlState.from(model.weights, model.bias, model.features.hashBits, opts);
  }

  learn(raw: Buffer, spam: boolean): void {
    const x = vectorize(tokenizeMessage(raw), this.model.features.hashBits);
    countMessage(this.model.counts, x.evidence, spam);
    const { weights } = this.model;
    this.ftrl.step({ x, spam }, (i) => {
      if (i === this.ftrl.size) this.model.bias = this.ftrl.weightAt(i);
      else weights[i] = this.ftrl.weightAt(i);
    });
  }

  /** Gives the model the version of what it has learned (a hash of every parameter: not per message). */
  seal(): SpamModel {
    this.model.version = modelVersion(this.model);
    return this.model;
  }
}
