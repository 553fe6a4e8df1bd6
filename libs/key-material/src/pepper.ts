/**
 * Outside production a missing pepper falls back to this fixed, public one, so that `npm start`,
 * the CLI and tests agree without setup. Keys hashed with it are worthless: services log so.
 */
export const DEVELOPMENT_PEPPER = 'keyway-development-pepper-never-use-in-production';
