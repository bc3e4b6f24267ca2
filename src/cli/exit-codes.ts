// The exit statuses of `spate`, which scripts can rely on (README "Exit codes"):
//   0  the command did what it was asked (also --help and --version)
//   1  it failed: the broker answered with an error, no broker could be reached, the input had a bad line
//   2  the command line is wrong: an unknown command or flag, a bad value, flags that cannot be combined
import { SpateError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command line that cannot work; `spate` prints it and exits with EXIT_USAGE. */
export function usageError(message: string): SpateError {
  return new SpateError('SPATE_CLI_USAGE', message);
}
