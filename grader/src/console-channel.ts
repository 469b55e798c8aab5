// What a program in the guest tells the host travels on its stdout, mixed with whatever else
// it prints: one line per message, a prefix of its own, then JSON. Both ends of the runner,
// the fuzzer, the load test and the netlink bench use one channel each.

/** One kind of message on a guest program's stdout. */
export interface ConsoleChannel<T> {
  readonly prefix: string;
  /** The line that carries `message`, newline included. */
  line(message: T): string;
  /** The message a line carries; undefined for other lines and for a line cut short. */
  parse(line: string): T | undefined;
  /** The first message in a program's whole output. */
  find(output: string): T | undefined;
}

export function consoleChannel<T>(prefix: string): ConsoleChannel<T> {
  const parse = (line: string): T | undefined => {
    if (!line.startsWith(prefix)) return undefined;
    try {
      return JSON.parse(line.slice(prefix.length)) as T;
    } catch {
      return undefined;
    }
  };
  return Object.freeze({
    prefix,
    line: (message: T) => `${prefix}${JSON.stringify(message)}\n`,
    parse,
    find: (output: string) => output.split('\n').map(parse).find((m) => m !== undefined),
  });
}
