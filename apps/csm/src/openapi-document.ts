import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import { openApiDocument, setApiPrefix } from './http/openapi.js';

/** The committed document the console's client types are generated from (apps/console, `api:generate`). */
const OPENAPI_FILE = fileURLToPath(new URL('../openapi.json', import.meta.url));

/**
 * Writes the CSM's OpenAPI document to apps/csm/openapi.json without a running CSM: the module graph is built in
 * Nest's preview mode (nothing instantiated, nothing connected), which is all the document needs.
 * `--check` writes nothing and exits 1 when the committed file differs (drift: run `npm run openapi`).
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { preview: true, logger: false });
  setApiPrefix(app);
  const text = `${JSON.stringify(openApiDocument(app), null, 2)}\n`;
  await app.close();
  if (!process.argv.includes('--check')) {
    await writeFile(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    return;
  }
  const committed = await readFile(OPENAPI_FILE, 'utf8').catch(() => '');
  if (committed !== text) {
    process.stderr.write(`${OPENAPI_FILE} does not match the CSM's controllers: run \`npm run openapi\` and commit it\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
