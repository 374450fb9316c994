// Every Jest project runs in the development profile (config/development.env), as `npm start` does:
// development conveniences and published development secrets, never production's defaults.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadProfile } = require('../scripts/profile.js') as { loadProfile: (name: string) => string[] };
loadProfile('development');
