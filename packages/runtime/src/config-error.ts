/** Every problem with a process's configuration, found at once; thrown, never an exit of its own. */
export interface ConfigProblem {
  /** The variable (or `configuration` when the problem belongs to none). */
  name: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(lineOf).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }

  /** One line per problem, `configuration error: NAME: message`. */
  get lines(): string[] {
    return this.problems.map(lineOf);
  }
}

const lineOf = (problem: ConfigProblem) => `configuration error: ${problem.name}: ${problem.message}`;
