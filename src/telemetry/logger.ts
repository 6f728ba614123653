/** Structured logging. Library code takes a Logger; the daemon decides where lines go. */
export interface Logger {
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export const noopLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** One JSON object a line, as `kiln.log` holds them. */
export function jsonLogger(write: (line: string) => void, now: () => number): Logger {
  const log =
    (level: string) =>
    (msg: string, fields: Readonly<Record<string, unknown>> = {}) => {
      write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...fields })}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
