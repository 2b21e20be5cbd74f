// Required once by bootstrap.js before it reports ready, so the CommonJS loader's lazy
// initialisation is paid by the stem cell at start-up, not by a function's cold start.
"use strict";
exports.warm = async (event) => JSON.parse(JSON.stringify(event));
