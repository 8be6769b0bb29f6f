/** A mistake the user can fix: the CLI prints its message alone, never a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
