#!/usr/bin/env node
// Trains the model shipped with Moat on the whole shared corpus (and nothing else) and writes
// libs/scan/classifier/model/moat-default.model. Deterministic: the same corpus gives the same bytes.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_PATH, saveModel, serializeModel, trainModel } from '../../libs/scan/classifier/dist/index.js';
import { ensureCorpus, loadCorpus } from './corpus.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tarball = process.argv[2] ?? join(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz');
const messages = loadCorpus(ensureCorpus(repoRoot, tarball));
const t0 = Date.now();
const model = trainModel(messages.map((m) => ({ raw: m.raw, spam: m.spam })));
await saveModel(model, DEFAULT_MODEL_PATH);
const size = serializeModel(model).length;
console.log(`trained on ${messages.length} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s: model ${model.version}, ${(size / 1024).toFixed(0)} KiB -> ${DEFAULT_MODEL_PATH}`);
