"use strict";
/* global exports */
// The peers' copy of the bench handler: returns the event.
exports.echo = async (event) => event;
