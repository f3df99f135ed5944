/**
 * A daemon fault thrown by the ctl's client. `top` is a bundle of its own (top/index.ts): the
 * client's RPCFault class is the main bundle's, so `instanceof` against this bundle's copy
 * would fail; RPCFault names itself, and that is what is checked.
 */
export function faultOf(err: unknown): { code: number; message: string } | null {
  return err instanceof Error && err.name === 'RPCFault' && typeof (err as { code?: unknown }).code === 'number' ? (err as Error & { code: number }) : null;
}
