const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 (RFC 4648 §4) decoded strictly: padding required, no whitespace, no URL-safe
 * alphabet, and only the one canonical encoding of the bytes (Node's decoder ignores what it
 * cannot read, so two different texts could otherwise carry the same signature).
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
