/** What the TLS concern found: the TLS condition and status.tls. */
import type { TlsStatus } from "../../api/tls-types.ts";
import type { ConditionInput } from "../status/conditions.ts";

export interface TlsReport {
  condition: ConditionInput;
  status: TlsStatus;
}
