// Locating the real Kafka clients the interop tests drive. A missing client is a failure, never a skip:
// `.ci/run` installs them, and a test that silently skipped would claim compatibility it never checked.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python3, where python3-kafka and python3-confluent-kafka are installed (not a pyenv/venv python). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireKcat(): string {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore' });
    return 'kcat';
  } catch {
    throw new Error('kcat is not installed: run `apt-get install -y kcat` (CI does this in .ci/run)');
  }
}

export function requirePythonModule(module: 'kafka' | 'confluent_kafka'): string {
  const pkg = module === 'kafka' ? 'python3-kafka' : 'python3-confluent-kafka';
  if (!existsSync(DEBIAN_PYTHON)) throw new Error(`${DEBIAN_PYTHON} is missing: run \`apt-get install -y ${pkg}\``);
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`python module ${module} is missing: run \`apt-get install -y ${pkg}\` (CI does this in .ci/run)`);
  }
  return DEBIAN_PYTHON;
}
