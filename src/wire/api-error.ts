/**
 * The JSON body of every error a node's public API answers: a stable code to branch on and a
 * sentence saying what to do, plus fields some codes add (e.g. the owners a failed write reached).
 */
import Type, { type Static } from "typebox";

export const ApiErrorBody = Type.Object(
  { error: Type.String(), message: Type.String() },
  { additionalProperties: true },
);
export type ApiErrorBody = Static<typeof ApiErrorBody>;
