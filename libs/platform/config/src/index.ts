export const cfg = 1;
