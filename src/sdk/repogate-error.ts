/**
 * A GraphQL error as a Repogate client sees it: the stable `extensions.code` (BAD_USER_INPUT,
 * REPO_UNAVAILABLE, …) and the `path` of the field it nulled, typed.
 */
export type RepogateErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'REPO_UNAVAILABLE'
  | 'REPO_BUSY'
  | 'FORBIDDEN'
  | 'INTERNAL_SERVER_ERROR'
  /** The transport failed or the server did not answer GraphQL (no `extensions.code`). */
  | 'NETWORK_ERROR'
  | (string & {});

export interface GraphQLErrorJson {
  message: string;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

export class RepogateError extends Error {
  override name = 'RepogateError';
  readonly code: RepogateErrorCode;
  readonly path: readonly (string | number)[] | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor({ message, path, extensions = {} }: GraphQLErrorJson) {
    super(message);
    this.code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    this.path = path;
    this.extensions = extensions;
  }

  /** The argument at fault, for BAD_USER_INPUT. */
  get argumentName(): string | undefined {
    return typeof this.extensions.argumentName === 'string' ? this.extensions.argumentName : undefined;
  }

  /** The repo that could not be reached, for REPO_UNAVAILABLE. */
  get repo(): string | undefined {
    return typeof this.extensions.repo === 'string' ? this.extensions.repo : undefined;
  }
}
