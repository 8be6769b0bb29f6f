/**
 * Errors that cross folders. A UserError is a mistake the user can fix: the CLI prints its message
 * alone, never a stack trace; the operator and `replistore up` report it the same way.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
