// One line per event on stderr, `level component: message`; stdout carries only the `node ready` line.

type Level = 'info' | 'warn' | 'error';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export function createLogger(component: string): Logger {
  const write = (level: Level, message: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${component}: ${message}\n`);
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, err) => write('error', err === undefined ? message : `${message}: ${errorText(err)}`),
  };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
