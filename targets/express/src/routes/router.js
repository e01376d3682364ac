'use strict';
const express = require('express');

/**
 * Every router of the app: strict (a trailing slash is another, unknown path: rulings §12) and
 * case-sensitive. Router options are not inherited from the app's settings, hence this helper.
 */
const createRouter = () => express.Router({ strict: true, caseSensitive: true }); // parity-ruling: 12

module.exports = { createRouter };
