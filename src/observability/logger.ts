/**
 * JSON logs (pino) with the request id; Authorization is redacted wherever it is logged, so a
 * token never reaches a log line.
 */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'repogate',
      level,
      redact: {
        paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'request.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
