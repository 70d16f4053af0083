import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from './config-error';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ReadEnvOptions<K extends string> {
  /**
   * Variables that name a file holding the value, per variable, in the order they are tried.
   * Every variable already accepts `<NAME>_FILE`; list others here (e.g. lk-jwt-service's
   * `LIVEKIT_SECRET_FROM_FILE`) to stay a drop-in replacement for the service that defined them.
   */
  fileAliases?: Partial<Record<K, readonly string[]>>;
}

/**
 * Parses the environment once, at start-up, against a zod object whose keys are variable names.
 * Secrets may come from files (`NAME_FILE`); a value set both directly and through a file is refused,
 * since silently preferring one hides a deployment mistake. Throws a ConfigError naming each variable.
 */
export function readEnv<S extends z.ZodObject>(
  schema: S,
  env: Env,
  options: ReadEnvOptions<Extract<keyof z.input<S>, string>> = {},
): z.output<S> {
  const raw: Record<string, string | undefined> = {};
  const problems: string[] = [];
  const reported = new Set<string>();
  for (const name of Object.keys(schema.shape)) {
    const aliases: readonly string[] = [
      `${name}_FILE`,
      ...((options.fileAliases as Record<string, readonly string[] | undefined> | undefined)?.[name] ?? []),
    ];
    const fileVar = aliases.find((a) => nonEmpty(env[a]) !== undefined);
    const direct = nonEmpty(env[name]);
    if (fileVar === undefined) {
      raw[name] = direct;
      continue;
    }
    if (direct !== undefined) {
      problems.push(`${name}: set both directly and through ${fileVar}; set only one`);
      reported.add(name);
      continue;
    }
    const path = env[fileVar] ?? '';
    try {
      // A trailing newline is almost always an editor's, not part of the secret.
      raw[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      problems.push(`${fileVar}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      reported.add(name);
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.map(String).join('.') || '(environment)';
      if (reported.has(String(issue.path[0]))) continue;
      problems.push(`${name}: ${describe(issue, raw[String(issue.path[0])])}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function describe(issue: z.core.$ZodIssue, value: string | undefined): string {
  if (value === undefined && issue.code === 'invalid_type') return 'is required';
  return issue.message;
}
