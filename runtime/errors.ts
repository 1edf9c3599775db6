/** The one errors module: every domain error extends SluiceError and carries its context. */
export class SluiceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input with one or more problems; `problems` holds one line per problem, ready to print. */
export class ProblemsError extends SluiceError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

/** A catalog that cannot be used. */
export class CatalogError extends ProblemsError {}

/** A value the window clock cannot work with (unknown zone, non-finite instant). */
export class ClockError extends SluiceError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`${field} ${typeof value === "string" ? JSON.stringify(value) : String(value)} ${problem}`);
  }
}
