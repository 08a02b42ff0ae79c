import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { CsmConfig } from './csm-config.js';
import { NodeGrpcServer } from './grpc/node-grpc.server.js';
import { mountConsole } from './http/console-static.js';
import { mountHttpMetrics } from './http/http-metrics.js';
import { mountOpenApi, setApiPrefix } from './http/openapi.js';
import { mountSecurityHeaders } from './http/security-headers.js';
import { loadHttpsCertificate } from './http/tls-certificate.js';

/**
 * Starts the CSM: REST API, console and /metrics over HTTPS, NodeService over gRPC with TLS, both with the same
 * certificate (plain HTTP and gRPC only with MOAT_HTTP_TLS=off); prints `csm ready` when both listen.
 */
async function main(): Promise<void> {
  const logger = new ConsoleLogger({ colors: Boolean(process.stdout.isTTY), logLevels: ['log', 'warn', 'error', 'fatal'] });
  const certificate = await loadHttpsCertificate(new CsmConfig());
  const httpsOptions = certificate && { key: certificate.key, cert: certificate.cert };
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger, httpsOptions });
  const config = app.get(CsmConfig);
  if (certificate?.created) Logger.log(`generated a self-signed HTTPS certificate: ${certificate.certFile}`, 'csm');
  mountSecurityHeaders(app, certificate !== undefined);
  setApiPrefix(app);
  app.useBodyParser('json', { limit: '10mb' });
  mountHttpMetrics(app);
  mountConsole(app, config.consoleDir);
  mountOpenApi(app);

  await app.listen(config.httpPort, config.httpHost);
  const httpAddress = app.getHttpServer().address();
  const httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : config.httpPort;
  const grpcPorts = await app.get(NodeGrpcServer).listen(certificate);
  const url = `${certificate ? 'https' : 'http'}://${config.httpHost}:${httpPort}`;
  const pinned = certificate ? ` cert ${certificate.certFile}` : '';
  process.stdout.write(`csm ready ${url} grpc ${config.grpcHost}:${grpcPorts.grpc} enrol ${config.grpcHost}:${grpcPorts.enrol} data ${config.dataDir}${pinned}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    Logger.log(`${signal}: shutting down`, 'csm');
    // Exit even if a dependency holds the event loop (a NATS connection still waiting for its first server).
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        Logger.error(`shutdown failed: ${String(err)}`, 'csm');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  Logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err), 'csm');
  process.exit(1);
});
