/**
 * The public paths and their methods, so an unknown method on a known path answers 405 with an
 * Allow header rather than a misleading 404.
 */
const ROUTES: Array<[RegExp, string[]]> = [
  [/^\/v1\/kv\/.*$/, ["GET", "PUT", "DELETE"]],
  [/^\/v1\/status$/, ["GET"]],
  [/^\/v1\/conflicts$/, ["GET"]],
  [/^\/v1\/conflicts\/[^/]+$/, ["GET"]],
  [/^\/v1\/conflicts\/[^/]+\/resolve$/, ["POST"]],
  [/^\/v1\/admin\/drain$/, ["POST"]],
  [/^\/internal\/v1\/batch$/, ["POST"]],
  [/^\/internal\/v1\/ping$/, ["GET"]],
  [/^\/internal\/v1\/channel$/, ["GET"]],
  [/^\/internal\/v1\/ae\/summary$/, ["GET"]],
  [/^\/internal\/v1\/backup\/snapshot$/, ["GET"]],
  [/^\/internal\/v1\/ae\/(level|keys|records|apply|purge|lock|unlock|report)$/, ["POST"]],
  [/^\/(metrics|healthz|readyz|openapi\.json)$/, ["GET"]],
];

export function allowedMethods(path: string): string[] | undefined {
  for (const [re, methods] of ROUTES) if (re.test(path)) return methods;
  return undefined;
}
