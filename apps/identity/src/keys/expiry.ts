const DAY_MS = 86_400_000;
const PRESET_MS = { '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, '90d': 90 * DAY_MS, '1y': 365 * DAY_MS };

/** When a key issued at `now` with `expires` (a preset or an ISO time) expires; null = never. */
export function expiresAt(expires: string, now: Date): Date | null {
  if (expires === 'never') return null;
  const preset = PRESET_MS[expires as keyof typeof PRESET_MS];
  if (preset !== undefined) return new Date(now.getTime() + preset);
  return new Date(expires);
}
