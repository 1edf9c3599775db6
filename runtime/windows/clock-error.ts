/** A value the window clock cannot work with; names the field and the value. */
import { SluiceError } from "../errors";

export class ClockError extends SluiceError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`${field} ${typeof value === "string" ? JSON.stringify(value) : String(value)} ${problem}`);
  }
}
