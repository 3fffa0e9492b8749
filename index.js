// Zapier loads the app from here: the compiled TypeScript app (`npm run build` makes dist/).
module.exports = require('./dist/src').default;
