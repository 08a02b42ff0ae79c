import { readFile, rename, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { emptyModel, TOKENIZER_VERSION, type SpamModel } from './model.js';

// Layout (little endian):
//   "MOATCLF" + format version byte
//   u32 length + JSON header { version, features, bias, calibration, spamMessages, hamMessages, weights, counts }
//   u32 length + the non-zero regression weights: index deltas (varint), then `weights` f32 values
//   u32 length + the non-zero token counts: (index delta, spam count, ham count) as varints, `counts` times
//   u32 CRC-32 of everything before it
// Only non-zero entries are stored (FTRL's L1 leaves most weights at zero, most buckets are never hit), so a
// model is small and loads in milliseconds.
const MAGIC = Buffer.from('MOATCLF', 'latin1');
export const MODEL_FORMAT_VERSION = 1;

export class ModelFormatError extends Error {
  constructor(message: string) {
    super(`invalid classifier model: ${message}`);
    this.name = 'ModelFormatError';
  }
}

interface ModelHeader {
  version: string;
  features: SpamModel['features'];
  bias: number;
  calibration: SpamModel['calibration'];
  spamMessages: number;
  hamMessages: number;
  /** Number of stored (non-zero) weights and count entries. */
  weights: number;
  counts: number;
}

class VarintWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  write(n: number): void {
    if (this.length + 10 > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    while (n >= 0x80) {
      this.buf[this.length++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

class VarintReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  read(): number {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      if (this.pos >= this.buf.length) throw new ModelFormatError('truncated varint section');
      const byte = this.buf[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  }
}

export function serializeModel(model: SpamModel): Buffer {
  const weightIdx = new VarintWriter();
  const weightValues: number[] = [];
  let prev = 0;
  model.weights.forEach((w, i) => {
    if (w === 0) return;
    weightIdx.write(i - prev);
    prev = i;
    weightValues.push(w);
  });
  const values = Buffer.alloc(weightValues.length * 4);
  weightValues.forEach((w, k) => values.writeFloatLE(w, k * 4));

  const counts = new VarintWriter();
  let nCounts = 0;
  prev = 0;
  const { spam, ham } = model.counts;
  for (let i = 0; i < spam.length; i++) {
    if (spam[i] === 0 && ham[i] === 0) continue;
    counts.write(i - prev);
    counts.write(spam[i]);
    counts.write(ham[i]);
    prev = i;
    nCounts++;
  }
  const header: ModelHeader = {
    version: model.version,
    features: model.features,
    bias: model.bias,
    calibration: model.calibration,
    spamMessages: model.counts.spamMessages,
    hamMessages: model.counts.hamMessages,
    weights: weightValues.length,
    counts: nCounts,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const weightSection = Buffer.concat([weightIdx.bytes(), values]);
  const body = Buffer.concat([MAGIC, Buffer.from([MODEL_FORMAT_VERSION]), u32(json.length), json, u32(weightSection.length), weightSection, u32(counts.length), counts.bytes()]);
  return Buffer.concat([body, u32(crc32(body))]);
}

export function deserializeModel(buf: Buffer): SpamModel {
  if (buf.length < 8 + 4 * 4 || !buf.subarray(0, 7).equals(MAGIC)) throw new ModelFormatError('not a Moat classifier model (bad magic)');
  if (buf[7] !== MODEL_FORMAT_VERSION) throw new ModelFormatError(`format version ${buf[7]} is not supported (this build reads ${MODEL_FORMAT_VERSION})`);
  const body = buf.subarray(0, buf.length - 4);
  if (crc32(body) !== buf.readUInt32LE(buf.length - 4)) throw new ModelFormatError('checksum mismatch (file truncated or corrupted)');
  let pos = 8;
  const section = (): Buffer => {
    if (pos + 4 > body.length) throw new ModelFormatError('truncated');
    const len = body.readUInt32LE(pos);
    if (pos + 4 + len > body.length) throw new ModelFormatError('truncated');
    pos += 4 + len;
    return body.subarray(pos - len, pos);
  };
  const header = parseHeader(section());
  const model = emptyModel(header.features.hashBits);
  const size = model.weights.length;

  const weightSection = section();
  const valuesStart = weightSection.length - header.weights * 4;
  if (valuesStart < 0) throw new ModelFormatError('truncated weights');
  const idx = new VarintReader(weightSection.subarray(0, valuesStart));
  for (let k = 0, i = 0; k < header.weights; k++) {
    i += idx.read();
    if (i >= size) throw new ModelFormatError(`weight index ${i} out of range`);
    model.weights[i] = weightSection.readFloatLE(valuesStart + k * 4);
  }
  const counts = new VarintReader(section());
  for (let k = 0, i = 0; k < header.counts; k++) {
    i += counts.read();
    if (i >= size) throw new ModelFormatError(`count index ${i} out of range`);
    model.counts.spam[i] = counts.read();
    model.counts.ham[i] = counts.read();
  }
  model.counts.spamMessages = header.spamMessages;
  model.counts.hamMessages = header.hamMessages;
  model.bias = header.bias;
  model.calibration = header.calibration;
  model.version = header.version;
  return model;
}

function parseHeader(json: Buffer): ModelHeader {
  let h: unknown;
  try {
    h = JSON.parse(json.toString('utf8'));
  } catch {
    throw new ModelFormatError('header is not JSON');
  }
  if (typeof h !== 'object' || h === null) throw new ModelFormatError('header is not an object');
  const o = h as Record<string, unknown>;
  const features = o.features as Record<string, unknown> | undefined;
  const calibration = o.calibration as Record<string, unknown> | undefined;
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const isCount = (v: unknown): v is number => isNum(v) && Number.isInteger(v) && v >= 0;
  if (typeof o.version !== 'string') throw new ModelFormatError('header.version missing');
  if (!features || !isNum(features.hashBits) || features.hashBits < 8 || features.hashBits > 26) throw new ModelFormatError('header.features.hashBits must be 8..26');
  if (features.tokenizer !== TOKENIZER_VERSION) throw new ModelFormatError(`tokenizer version ${String(features.tokenizer)} is not this build's (${TOKENIZER_VERSION}); retrain the model`);
  if (!isNum(o.bias) || !calibration || !isNum(calibration.a) || !isNum(calibration.b)) throw new ModelFormatError('header.bias/calibration missing');
  const k = calibration.k;
  if (!isNum(k) || k < 0) throw new ModelFormatError('header.calibration.k must be a number >= 0');
  if (!isCount(o.spamMessages) || !isCount(o.hamMessages) || !isCount(o.weights) || !isCount(o.counts)) throw new ModelFormatError('header counts missing');
  return {
    version: o.version,
    features: { hashBits: features.hashBits, tokenizer: TOKENIZER_VERSION },
    bias: o.bias,
    calibration: { a: calibration.a, b: calibration.b, k },
    spamMessages: o.spamMessages,
    hamMessages: o.hamMessages,
    weights: o.weights,
    counts: o.counts,
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

export async function loadModel(path: string): Promise<SpamModel> {
  return deserializeModel(await readFile(path));
}

/** Writes atomically (temp file + rename) so a reader never sees half a model. */
export async function saveModel(model: SpamModel, path: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, serializeModel(model));
  await rename(tmp, path);
}
