/** Injection token of the HMAC pepper (a deployment secret). */
export const PEPPER = Symbol('PEPPER');
