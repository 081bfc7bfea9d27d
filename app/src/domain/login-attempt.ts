/** Failed logins counted under one key (an account or a client address) in a fixed window. */
export interface AttemptWindow {
  readonly key: string;
  readonly failures: number;
  /** Epoch ms at which the count starts again from zero. */
  readonly resetsAt: number;
}
