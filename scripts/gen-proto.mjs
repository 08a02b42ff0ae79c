// Generates TypeScript from proto/ with ts-proto (the .proto files are the source of truth).
// One flavour, grpc-js service definitions, used by the nodes, the CLI and the CSM alike. The NestJS flavour
// (nestJs=true) is not generated: Nest's gRPC transport decodes with @grpc/proto-loader, whose objects (oneofs,
// 64-bit numbers) differ from ts-proto's types, so the CSM serves the grpc-js definition directly.
// Skips the work when the generated files are newer than every .proto file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const outRoot = join(root, 'libs/shared/proto/src');
const protoc = join(root, 'node_modules/.bin/protoc');
const plugin = join(root, 'node_modules/.bin/protoc-gen-ts_proto');

const protos = readdirSync(join(protoDir, 'moat/v1')).filter((f) => f.endsWith('.proto')).map((f) => `moat/v1/${f}`);
const newestProto = Math.max(...protos.map((p) => statSync(join(protoDir, p)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);

const common = ['esModuleInterop=true', 'importSuffix=.js', 'forceLong=number', 'useDate=false', 'snakeToCamel=true', 'useOptionals=none', 'oneof=unions-value', 'exportCommonSymbols=false'];
const flavours = {
  grpc: [...common, 'outputServices=grpc-js'],
};

for (const [name, opts] of Object.entries(flavours)) {
  const out = join(outRoot, name);
  const stamp = join(out, 'gen/.stamp');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestProto) continue;
  rmSync(join(out, 'gen'), { recursive: true, force: true });
  mkdirSync(join(out, 'gen'), { recursive: true });
  execFileSync(protoc, [`--plugin=protoc-gen-ts_proto=${plugin}`, `--ts_proto_out=${join(out, 'gen')}`, `--ts_proto_opt=${opts.join(',')}`, `-I${protoDir}`, ...protos], { stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
  console.log(`[proto] generated ${name} flavour`);
}
