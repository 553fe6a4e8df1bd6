/** Who is calling, as the gateway verified it: every query is scoped to `workspaceId`. */
export interface Caller {
  readonly keyId: string;
  readonly workspaceId: string;
  readonly scopes: readonly string[];
}
